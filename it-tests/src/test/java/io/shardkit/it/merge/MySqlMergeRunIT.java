package io.shardkit.it.merge;

import io.shardkit.it.fixture.FleetShape;
import io.shardkit.sandbox.SandboxSpec;

@FleetShape(flavor = SandboxSpec.ServerFlavor.MYSQL, zones = 3, hostsPerZone = 2, groups = 5, replicas = 1)
class MySqlMergeRunIT extends MergeRunScenarios {}
