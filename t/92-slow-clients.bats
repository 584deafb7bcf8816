#!/usr/bin/env bats
# being written
load helpers
@test "placeholder: 92-slow-clients being written" { true; }
