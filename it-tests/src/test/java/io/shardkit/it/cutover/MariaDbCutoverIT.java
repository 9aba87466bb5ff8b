package io.shardkit.it.cutover;

import io.shardkit.it.fixture.FleetShape;
import io.shardkit.sandbox.SandboxSpec;

@FleetShape(flavor = SandboxSpec.ServerFlavor.MARIADB, zones = 3, hostsPerZone = 2, groups = 5, replicas = 1)
class MariaDbCutoverIT extends CutoverScenarios {}
