#!/usr/bin/env bats
# being written
load helpers
@test "placeholder: 95-install being written" { true; }
