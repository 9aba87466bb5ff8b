package io.shardkit.topology;

import io.shardkit.mysql.CredentialRef;
import io.shardkit.topology.Topology.Credentials;
import io.shardkit.topology.Topology.Group;
import io.shardkit.topology.Topology.Host;
import io.shardkit.topology.Topology.Instance;
import io.shardkit.topology.Topology.Member;
import io.shardkit.topology.Topology.Zone;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Reads and validates a topology file. YAML is composed into nodes (not bound to classes) so that
 * every problem can name its line; all problems are collected and reported together, and a file
 * with any problem yields no topology at all.
 */
public final class TopologyFile {

    private static final Set<String> TOP_KEYS = Set.of("name", "credentials", "zones", "hosts", "instances", "groups");

    private final Path file;
    private final List<TopologyException.Problem> problems = new ArrayList<>();
    /** Every IP seen so far (host addresses, instance IPs, writer IPs) and the line that claimed it. */
    private final Map<String, Integer> addresses = new HashMap<>();

    private TopologyFile(Path file) {
        this.file = file;
    }

    public static Topology load(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new TopologyException(List.of(new TopologyException.Problem(file, 0, "cannot read topology file (" + e.getClass().getSimpleName() + ")")));
        }
        return parse(file, text);
    }

    public static Topology parse(Path file, String text) {
        return new TopologyFile(file).read(new StringReader(text));
    }

    private Topology read(Reader reader) {
        Node root;
        try {
            LoaderOptions opts = new LoaderOptions();
            opts.setAllowDuplicateKeys(true); // we report duplicates ourselves, with both lines
            root = new Yaml(opts).compose(reader);
        } catch (MarkedYAMLException e) {
            int line = e.getProblemMark() != null ? e.getProblemMark().getLine() + 1 : 0;
            throw fail(line, "not valid YAML: " + e.getProblem());
        } catch (YAMLException e) {
            throw fail(0, "not valid YAML: " + e.getMessage());
        }
        if (!(root instanceof MappingNode top)) {
            throw fail(root == null ? 1 : line(root), "a topology file is a mapping with zones, hosts, instances, groups and credentials");
        }
        Map<String, NodeTuple> sections = entries(top);
        sections.forEach((k, t) -> { if (!TOP_KEYS.contains(k)) problem(t.getKeyNode(), "unknown section '" + k + "'"); });

        Map<String, Zone> zones = readZones(sections.get("zones"), line(top));
        Map<String, Host> hosts = readHosts(sections.get("hosts"), zones, line(top));
        Map<String, Instance> instances = readInstances(sections.get("instances"), hosts, line(top));
        Map<String, Group> groups = readGroups(sections.get("groups"), instances, line(top));
        Credentials creds = readCredentials(sections.get("credentials"), line(top));
        if (!problems.isEmpty()) throw new TopologyException(problems);
        return new Topology(file, zones, hosts, instances, groups, creds);
    }

    private Map<String, Zone> readZones(NodeTuple section, int topLine) {
        Map<String, Zone> zones = new LinkedHashMap<>();
        if (section == null) {
            problem(topLine, "missing section 'zones'");
            return zones;
        }
        Node v = section.getValueNode();
        if (v instanceof SequenceNode seq) {
            for (Node n : seq.getValue()) {
                String name = scalar(n, "zone name");
                if (name != null && zones.putIfAbsent(name, new Zone(name)) != null) problem(n, "zone '" + name + "' is listed twice");
            }
        } else {
            problem(v, "'zones' is a list of zone names");
        }
        return zones;
    }

    private Map<String, Host> readHosts(NodeTuple section, Map<String, Zone> zones, int topLine) {
        Map<String, Host> hosts = new LinkedHashMap<>();
        for (var e : namedMappings(section, "hosts", topLine).entrySet()) {
            String name = e.getKey();
            Map<String, NodeTuple> f = fields(e.getValue(), "host " + name, Set.of("zone", "address", "exec", "interface", "prefix"));
            String zone = required(f, "zone", e.getValue(), "host " + name);
            String address = required(f, "address", e.getValue(), "host " + name);
            if (zone != null && !zones.containsKey(zone)) problem(f.get("zone").getValueNode(), "host " + name + " names unknown zone '" + zone + "'");
            if (address != null) uniqueAddress(address, f.get("address").getValueNode(), addresses, "host " + name);
            hosts.put(name, new Host(name, zone, address, access(f, "host " + name)));
        }
        return hosts;
    }

    /** The optional exec / interface / prefix of a host: all or nothing. */
    private Topology.HostAccess access(Map<String, NodeTuple> f, String what) {
        if (!f.containsKey("exec") && !f.containsKey("interface") && !f.containsKey("prefix")) return null;
        List<String> exec = new java.util.ArrayList<>();
        NodeTuple e = f.get("exec");
        if (e == null || !(e.getValueNode() instanceof SequenceNode seq) || seq.getValue().isEmpty()) {
            problem(e == null ? f.values().iterator().next().getKeyNode() : e.getValueNode(), what + ": 'exec' must be a non-empty list (a command prefix such as [ssh, root@10.0.0.5])");
            return null;
        }
        for (Node n : seq.getValue()) exec.add(scalar(n, "exec"));
        String device = f.containsKey("interface") ? scalar(f.get("interface").getValueNode(), "interface") : "eth0";
        int prefix = 24;
        if (f.containsKey("prefix")) {
            String p = scalar(f.get("prefix").getValueNode(), "prefix");
            if (p == null || !p.matches("\\d{1,2}") || Integer.parseInt(p) < 1 || Integer.parseInt(p) > 32) {
                problem(f.get("prefix").getValueNode(), what + ": prefix '" + p + "' is not a prefix length from 1 to 32");
            } else {
                prefix = Integer.parseInt(p);
            }
        }
        return new Topology.HostAccess(exec, device, prefix);
    }

    private void uniqueAddress(String ip, Node at, Map<String, Integer> seen, String what) {
        if (!ip.matches("\\d{1,3}(\\.\\d{1,3}){3}") && !ip.contains(":")) problem(at, what + ": '" + ip + "' is not an IP address");
        Integer prev = seen.putIfAbsent(ip, line(at));
        if (prev != null) problem(at, what + ": IP " + ip + " is already used at line " + prev);
    }

    private Map<String, Instance> readInstances(NodeTuple section, Map<String, Host> hosts, int topLine) {
        Map<String, Instance> out = new LinkedHashMap<>();
        for (var e : namedMappings(section, "instances", topLine).entrySet()) {
            String name = e.getKey();
            Map<String, NodeTuple> f = fields(e.getValue(), "instance " + name, Set.of("host", "ip", "port"));
            String host = required(f, "host", e.getValue(), "instance " + name);
            String ip = required(f, "ip", e.getValue(), "instance " + name);
            int port = 3306;
            if (f.containsKey("port")) {
                String p = scalar(f.get("port").getValueNode(), "port");
                try {
                    port = Integer.parseInt(p);
                    if (port < 1 || port > 65535) throw new NumberFormatException();
                } catch (NumberFormatException ex) {
                    problem(f.get("port").getValueNode(), "instance " + name + ": port '" + p + "' is not a number from 1 to 65535");
                }
            }
            if (host != null && !hosts.containsKey(host)) problem(f.get("host").getValueNode(), "instance " + name + " names unknown host '" + host + "'");
            if (ip != null) uniqueAddress(ip, f.get("ip").getValueNode(), addresses, "instance " + name);
            out.put(name, new Instance(name, host, ip, port));
        }
        return out;
    }

    private Map<String, Group> readGroups(NodeTuple section, Map<String, Instance> instances, int topLine) {
        Map<String, Group> out = new LinkedHashMap<>();
        Map<String, String> memberOf = new HashMap<>();
        for (var e : namedMappings(section, "groups", topLine).entrySet()) {
            String name = e.getKey();
            Map<String, NodeTuple> f = fields(e.getValue(), "group " + name, Set.of("writer", "members", "durability", "zone-policy", "mha-script", "json-hook", "cross-zone-hook", "stonith-hook"));
            String writer = f.containsKey("writer") ? scalar(f.get("writer").getValueNode(), "writer") : null;
            if (writer != null) uniqueAddress(writer, f.get("writer").getValueNode(), addresses, "group " + name + " writer");
            List<Member> members = new ArrayList<>();
            NodeTuple m = f.get("members");
            if (m == null || !(m.getValueNode() instanceof SequenceNode seq) || seq.getValue().isEmpty()) {
                problem(m == null ? e.getValue() : m.getValueNode(), "group " + name + " needs a non-empty list 'members'");
            } else {
                for (Node n : seq.getValue()) {
                    Member member = readMember(n, name);
                    if (member == null) continue;
                    if (!instances.containsKey(member.instance())) {
                        problem(n, "group " + name + " names unknown instance '" + member.instance() + "'");
                        continue;
                    }
                    String prev = memberOf.putIfAbsent(member.instance(), name);
                    if (prev != null) problem(n, "instance " + member.instance() + " is in two groups: " + prev + " and " + name);
                    else members.add(member);
                }
            }
            out.put(name, new Group(name, writer, List.copyOf(members), readFailover(f, name)));
        }
        return out;
    }

    private Topology.Failover readFailover(Map<String, NodeTuple> f, String group) {
        Topology.Durability durability = null;
        if (f.containsKey("durability")) {
            String d = scalar(f.get("durability").getValueNode(), "durability");
            try {
                durability = Topology.Durability.parse(d);
            } catch (IllegalArgumentException ex) {
                problem(f.get("durability").getValueNode(), "group " + group + ": durability '" + d + "' is not one of semi-sync, async");
            }
        }
        ZonePolicy zone = ZonePolicy.SAME_ZONE_PREFERRED;
        if (f.containsKey("zone-policy")) {
            String z = scalar(f.get("zone-policy").getValueNode(), "zone-policy");
            try {
                zone = ZonePolicy.parse(z);
            } catch (IllegalArgumentException ex) {
                problem(f.get("zone-policy").getValueNode(), "group " + group + ": zone-policy '" + z + "' is not one of same-zone-required, same-zone-preferred, any-zone");
            }
        }
        return new Topology.Failover(durability, zone, hook(f, "mha-script"), hook(f, "json-hook"), hook(f, "cross-zone-hook"), hook(f, "stonith-hook"));
    }

    /** A hook's path, relative to the topology file's directory. */
    private java.nio.file.Path hook(Map<String, NodeTuple> f, String key) {
        if (!f.containsKey(key)) return null;
        java.nio.file.Path p = java.nio.file.Path.of(scalar(f.get(key).getValueNode(), key));
        return !p.isAbsolute() && file.getParent() != null ? file.getParent().resolve(p) : p;
    }

    private Member readMember(Node n, String group) {
        if (n instanceof ScalarNode s) return new Member(s.getValue(), PromotionRule.NEUTRAL);
        Map<String, NodeTuple> f = fields(n, "member of group " + group, Set.of("instance", "promotion"));
        String inst = required(f, "instance", n, "member of group " + group);
        if (inst == null) return null;
        PromotionRule rule = PromotionRule.NEUTRAL;
        if (f.containsKey("promotion")) {
            String r = scalar(f.get("promotion").getValueNode(), "promotion");
            try {
                rule = PromotionRule.parse(r);
            } catch (IllegalArgumentException ex) {
                problem(f.get("promotion").getValueNode(), "member " + inst + ": promotion '" + r + "' is not one of prefer, neutral, prefer-not, must-not");
            }
        }
        return new Member(inst, rule);
    }

    private Credentials readCredentials(NodeTuple section, int topLine) {
        if (section == null) {
            problem(topLine, "missing section 'credentials' (at least 'admin': an option file section or an environment variable)");
            return new Credentials(null, null, null);
        }
        Map<String, NodeTuple> f = fields(section.getValueNode(), "credentials", Set.of("admin", "replication", "stream"));
        if (!f.containsKey("admin")) problem(section.getKeyNode(), "credentials: 'admin' is missing");
        return new Credentials(credential(f.get("admin"), "admin"), credential(f.get("replication"), "replication"), credential(f.get("stream"), "stream"));
    }

    private CredentialRef credential(NodeTuple t, String purpose) {
        if (t == null) return null;
        Map<String, NodeTuple> f = fields(t.getValueNode(), "credentials." + purpose, Set.of("user", "option-file", "section", "env", "password"));
        if (f.containsKey("password")) {
            problem(f.get("password").getKeyNode(), "credentials." + purpose + ": passwords are not written in topology files; use option-file + section or env");
            return null;
        }
        String user = required(f, "user", t.getValueNode(), "credentials." + purpose);
        if (f.containsKey("env")) return CredentialRef.env(user, scalar(f.get("env").getValueNode(), "env"));
        if (f.containsKey("option-file")) {
            String path = scalar(f.get("option-file").getValueNode(), "option-file");
            Path p = Path.of(path);
            if (!p.isAbsolute() && file.getParent() != null) p = file.getParent().resolve(p);
            String section = f.containsKey("section") ? scalar(f.get("section").getValueNode(), "section") : "client";
            return CredentialRef.optionFile(user, p, section);
        }
        problem(t.getValueNode(), "credentials." + purpose + " needs 'env' or 'option-file'");
        return null;
    }

    // ---- node helpers ----

    private Map<String, Node> namedMappings(NodeTuple section, String what, int topLine) {
        Map<String, Node> out = new LinkedHashMap<>();
        if (section == null) {
            problem(topLine, "missing section '" + what + "'");
            return out;
        }
        if (!(section.getValueNode() instanceof MappingNode m)) {
            problem(section.getValueNode(), "'" + what + "' is a mapping from name to settings");
            return out;
        }
        for (NodeTuple t : m.getValue()) {
            String name = scalar(t.getKeyNode(), what + " name");
            if (name == null) continue;
            if (out.containsKey(name)) problem(t.getKeyNode(), what + ": '" + name + "' is defined twice");
            else out.put(name, t.getValueNode());
        }
        return out;
    }

    private Map<String, NodeTuple> fields(Node n, String what, Set<String> allowed) {
        if (!(n instanceof MappingNode m)) {
            problem(n, what + " must be a mapping of settings");
            return Map.of();
        }
        Map<String, NodeTuple> out = entries(m);
        out.forEach((k, t) -> { if (!allowed.contains(k)) problem(t.getKeyNode(), what + ": unknown setting '" + k + "' (allowed: " + String.join(", ", new java.util.TreeSet<>(allowed)) + ")"); });
        return out;
    }

    private Map<String, NodeTuple> entries(MappingNode m) {
        Map<String, NodeTuple> out = new LinkedHashMap<>();
        for (NodeTuple t : m.getValue()) {
            String k = scalar(t.getKeyNode(), "key");
            if (k != null && out.putIfAbsent(k, t) != null) problem(t.getKeyNode(), "'" + k + "' appears twice");
        }
        return out;
    }

    private String required(Map<String, NodeTuple> f, String key, Node owner, String what) {
        NodeTuple t = f.get(key);
        if (t == null) {
            problem(owner, what + ": missing '" + key + "'");
            return null;
        }
        return scalar(t.getValueNode(), key);
    }

    private String scalar(Node n, String what) {
        if (n instanceof ScalarNode s && !s.getValue().isBlank()) return s.getValue().trim();
        problem(n, what + " must be a plain value");
        return null;
    }

    private static int line(Node n) {
        return n.getStartMark().getLine() + 1;
    }

    private void problem(Node n, String message) {
        problem(line(n), message);
    }

    private void problem(int line, String message) {
        problems.add(new TopologyException.Problem(file, line, message));
    }

    private TopologyException fail(int line, String message) {
        problems.add(new TopologyException.Problem(file, line, message));
        return new TopologyException(problems);
    }
}
