package io.shardkit.it.merge;

import io.shardkit.it.fixture.FleetShape;
import io.shardkit.sandbox.SandboxSpec;

@FleetShape(flavor = SandboxSpec.ServerFlavor.MYSQL, zones = 2, hostsPerZone = 2, groups = 4, replicas = 1)
class MySqlMergePlanIT extends MergePlanScenarios {}
