#!/usr/bin/env bats
# being written
load helpers
@test "placeholder: 97-docs being written" { true; }
