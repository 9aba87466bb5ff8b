package io.shardkit.it.failover;

import io.shardkit.it.fixture.FleetShape;
import io.shardkit.sandbox.SandboxSpec;

@FleetShape(flavor = SandboxSpec.ServerFlavor.MYSQL, zones = 3, hostsPerZone = 1, groups = 3, replicas = 2)
class MySqlElectionIT extends ElectionScenarios {}
