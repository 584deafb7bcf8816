#!/usr/bin/env bats
# being written
load helpers
@test "placeholder: 90-hostile being written" { true; }
