package io.shardkit.it.cutover;

import io.shardkit.it.fixture.FleetShape;
import io.shardkit.sandbox.SandboxSpec;

@FleetShape(flavor = SandboxSpec.ServerFlavor.MYSQL, zones = 3, hostsPerZone = 2, groups = 5, replicas = 1)
class MySqlCutoverIT extends CutoverScenarios {}
