package io.shardkit.it.merge;

import io.shardkit.it.fixture.FleetShape;
import io.shardkit.sandbox.SandboxSpec;

@FleetShape(flavor = SandboxSpec.ServerFlavor.MARIADB, zones = 1, hostsPerZone = 2, groups = 3, replicas = 0)
class MariaDbMergeStreamStallIT extends MergeStreamStallScenarios {}
