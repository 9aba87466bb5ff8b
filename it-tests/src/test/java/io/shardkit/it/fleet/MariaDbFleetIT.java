package io.shardkit.it.fleet;

import io.shardkit.it.fixture.FleetShape;
import io.shardkit.sandbox.SandboxSpec;

@FleetShape(flavor = SandboxSpec.ServerFlavor.MARIADB, zones = 3, hostsPerZone = 2, groups = 4, replicas = 2)
class MariaDbFleetIT extends FleetScenarios {}
