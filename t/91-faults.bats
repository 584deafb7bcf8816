#!/usr/bin/env bats
# being written
load helpers
@test "placeholder: 91-faults being written" { true; }
