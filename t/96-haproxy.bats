#!/usr/bin/env bats
# being written
load helpers
@test "placeholder: 96-haproxy being written" { true; }
