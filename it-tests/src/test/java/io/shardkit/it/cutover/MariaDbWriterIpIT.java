package io.shardkit.it.cutover;

import io.shardkit.it.fixture.FleetShape;
import io.shardkit.sandbox.SandboxSpec;

@FleetShape(flavor = SandboxSpec.ServerFlavor.MARIADB, zones = 1, hostsPerZone = 5, groups = 5, replicas = 0, listenFor = "g5:g1,g2,g3,g4")
class MariaDbWriterIpIT extends WriterIpScenarios {}
