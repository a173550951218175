import { parseMeshConfig } from "../../stacks/config";
import { durationRuleFor, durationTable, formatDuration, ResourceFacts, unknownTypeRule } from "../../tools/plan/durations";
import { criticalPath, Operation, scheduledFinish, sequentialSum, topologicalOrder } from "../../tools/plan/schedule";
import { operationsOf, timeToMesh } from "../../tools/plan/timeToMesh";
import { Recorder } from "../harness";
import { stackFileConfig, runMesh } from "../stacks/fixtures";

const op = (id: string, seconds: number, ...dependsOn: string[]): Operation => ({ id, seconds, dependsOn });
const ids = (ops: Operation[]) => ops.map((o) => o.id);

describe("the critical path", () => {
    it("of a chain is the whole chain", () => {
        const chain = [op("a", 2), op("b", 3, "a"), op("c", 4, "b")];
        expect(criticalPath(chain)).toEqual({ seconds: 9, path: chain });
    });

    it("of a diamond takes the longer branch", () => {
        const diamond = [op("a", 1), op("b", 5, "a"), op("c", 2, "a"), op("d", 1, "b", "c")];
        const result = criticalPath(diamond);
        expect(result.seconds).toBe(7);
        expect(ids(result.path)).toEqual(["a", "b", "d"]);
    });

    it("does not depend on the order operations are listed in", () => {
        const shuffled = [op("d", 1, "b", "c"), op("c", 2, "a"), op("b", 5, "a"), op("a", 1)];
        expect(criticalPath(shuffled).seconds).toBe(7);
        // Each after what it waits for; of the ready ones, the one listed first.
        expect(ids(topologicalOrder(shuffled))).toEqual(["a", "c", "b", "d"]);
    });

    it("of independent operations is the longest one", () => {
        expect(criticalPath([op("a", 4), op("b", 9), op("c", 1)]).seconds).toBe(9);
    });

    it("ignores dependencies on operations outside the graph", () => {
        expect(criticalPath([op("a", 3, "elsewhere"), op("b", 2, "a")]).seconds).toBe(5);
    });

    it("refuses a cycle, which would never finish", () => {
        expect(() => criticalPath([op("a", 1, "c"), op("b", 1, "a"), op("c", 1, "b")])).toThrow(/dependency cycle: a -> c -> b -> a/);
    });
});

describe("the parallel limit", () => {
    const independent = [op("a", 10), op("b", 10), op("c", 10), op("d", 10)];

    it("changes nothing when it is at least the graph's width", () => {
        expect(scheduledFinish(independent, 4)).toBe(10);
        expect(scheduledFinish(independent, 100)).toBe(10);
    });

    it("queues operations when it is smaller than the width", () => {
        expect(scheduledFinish(independent, 1)).toBe(40);
        expect(scheduledFinish(independent, 2)).toBe(20);
        expect(scheduledFinish(independent, 3)).toBe(20);
    });

    it("of one is the sum of every duration", () => {
        const diamond = [op("a", 1), op("b", 5, "a"), op("c", 2, "a"), op("d", 1, "b", "c")];
        expect(scheduledFinish(diamond, 1)).toBe(sequentialSum(diamond));
        expect(sequentialSum(diamond)).toBe(9);
        expect(scheduledFinish(diamond, 2)).toBe(criticalPath(diamond).seconds);
    });

    it("starts operations in the order they were registered when slots are scarce", () => {
        // Registered last, the long operation waits for a free slot; registered first, it starts at once.
        const ops = [op("s1", 1), op("s2", 1), op("long", 8)];
        expect(scheduledFinish(ops, 2)).toBe(9);
        expect(scheduledFinish([op("long", 8), op("s1", 1), op("s2", 1)], 2)).toBe(8);
    });

    it("lets operations of no duration through without holding a slot", () => {
        expect(scheduledFinish([op("p", 0), op("a", 5, "p"), op("b", 5, "p")], 2)).toBe(5);
    });

    it("must be a whole number of at least 1", () => {
        expect(() => scheduledFinish(independent, 0)).toThrow(/at least 1/);
        expect(() => scheduledFinish(independent, 1.5)).toThrow(/at least 1/);
    });
});

describe("typical durations", () => {
    const facts = (type: string, inputs: Record<string, any> = {}, cluster?: ResourceFacts["cluster"]): ResourceFacts => ({
        type,
        name: "x",
        inputs,
        cluster,
    });
    const remote = { name: "r", cloud: "azure", role: "remote" };
    const primary = { name: "p", cloud: "aws", role: "primary" };

    it("gives every figure a source or marks it an estimate", () => {
        for (const rule of [...durationTable, unknownTypeRule]) {
            expect({ what: rule.what, source: rule.source }).toEqual({
                what: rule.what,
                source: expect.stringMatching(/https:\/\/|estimate|no API call|locally/),
            });
        }
    });

    it("knows the slow cloud resources", () => {
        expect(durationRuleFor(facts("eks:index:Cluster")).seconds).toBe(600);
        expect(durationRuleFor(facts("eks:index:ManagedNodeGroup")).seconds).toBe(240);
        expect(durationRuleFor(facts("azure-native:containerservice:ManagedCluster")).seconds).toBe(480);
        expect(durationRuleFor(facts("gcp:container/cluster:Cluster")).seconds).toBe(600);
        expect(durationRuleFor(facts("aws:ec2/natGateway:NatGateway")).seconds).toBe(120);
    });

    it("tells Istio's charts apart, by chart and by role, whatever the repository", () => {
        const release = (chart: string, cluster = primary) =>
            durationRuleFor(facts("kubernetes:helm.sh/v3:Release", { chart }, cluster)).seconds;
        expect(release("base")).toBe(30);
        expect(release("istiod")).toBe(90);
        expect(release("oci://ghcr.io/istio/release/charts/istiod")).toBe(90);
        expect(release("istiod", remote)).toBe(45);
        expect(release("gateway")).toBe(150);
        expect(release("gateway", remote)).toBe(240);
        expect(release("metallb")).toBe(60);
    });

    it("prices a LoadBalancer Service by the cloud of its cluster", () => {
        const lb = (cloud: string) =>
            durationRuleFor(facts("kubernetes:core/v1:Service", { spec: { type: "LoadBalancer" } }, { name: "c", cloud, role: "primary" }))
                .seconds;
        expect(lb("aws")).toBe(180);
        expect(lb("gcp")).toBe(90);
        expect(lb("existing")).toBe(15);
        expect(durationRuleFor(facts("kubernetes:core/v1:Service", { spec: { type: "ClusterIP" } }, primary)).seconds).toBe(3);
    });

    it("costs nothing for providers, keys and random names, and something for unknown types", () => {
        expect(durationRuleFor(facts("pulumi:providers:kubernetes")).seconds).toBe(0);
        expect(durationRuleFor(facts("tls:index/privateKey:PrivateKey")).seconds).toBe(0);
        expect(durationRuleFor(facts("random:index/randomString:RandomString")).seconds).toBe(0);
        expect(durationRuleFor(facts("acme:index:Thing"))).toBe(unknownTypeRule);
    });

    it("are written the way people read them", () => {
        expect([45, 60, 90, 600, 3599, 3600, 5160].map(formatDuration)).toEqual([
            "45 s",
            "1 min",
            "2 min",
            "10 min",
            "1 h 00 min",
            "1 h 00 min",
            "1 h 26 min",
        ]);
    });
});

describe("the dev stack's recorded graph", () => {
    let rec: Recorder;
    const { "gcp:project": gcpProject, ...raw } = stackFileConfig("dev") as Record<string, unknown>;
    const config = parseMeshConfig(raw, { gcpProject: gcpProject as string }).config;

    beforeAll(async () => {
        ({ rec } = await runMesh(stackFileConfig("dev")));
    });

    const opNamed = (type: string, name: string) =>
        operationsOf(rec, config).find((o) => o.registration.type === type && o.registration.name === name)!;
    const urnOf = (type: string, name: string) => rec.one(type, name).urn;

    it("has an operation per resource, none for plain components", () => {
        const ops = operationsOf(rec, config);
        expect(ops.length).toBe(rec.all.filter((r) => r.custom || r.remote).length);
        expect(ops.some((o) => o.registration.type.startsWith("istio-multicloud:"))).toBe(false);
        expect(ops.some((o) => o.registration.type === "eks:index:Cluster")).toBe(true);
    });

    it("makes a resource wait for its provider", () => {
        const namespace = opNamed("kubernetes:core/v1:Namespace", "aks-east-istio-system");
        expect(namespace.dependsOn).toContain(rec.providerOf(namespace.registration)!.urn);
        expect(rec.providerOf(namespace.registration)!.name).toBe("aks-east");
    });

    it("makes the EKS node group wait for the cluster it is handed by reference", () => {
        expect(opNamed("eks:index:ManagedNodeGroup", "eks-west-nodes").dependsOn).toContain(urnOf("eks:index:Cluster", "eks-west"));
    });

    it("does not make a child wait for its parent component", () => {
        const vpc = opNamed("aws:ec2/vpc:Vpc", "eks-west-vpc");
        expect(vpc.dependsOn).not.toContain(vpc.registration.parent);
        expect(vpc.registration.parent).toMatch(/EksCluster::eks-west$/);
    });

    it("runs to the critical path with enough parallelism, and to the sum one at a time", () => {
        const unbounded = timeToMesh(rec, config, 10000);
        expect(unbounded.withParallelLimit).toBe(unbounded.criticalPath);
        expect(timeToMesh(rec, config, 1).withParallelLimit).toBe(unbounded.sequential);
        const two = timeToMesh(rec, config, 2).withParallelLimit;
        expect(two).toBeGreaterThan(unbounded.criticalPath);
        expect(two).toBeLessThan(unbounded.sequential);
    });

    it("puts the EKS control plane, its node group and the remote's gateway on the critical path", () => {
        const path = timeToMesh(rec, config, 8).path.map((o) => `${o.registration.type} ${o.registration.name}`);
        const at = (entry: string) => path.indexOf(entry);
        expect(at("eks:index:Cluster eks-west")).toBeGreaterThanOrEqual(0);
        expect(at("eks:index:ManagedNodeGroup eks-west-nodes")).toBeGreaterThan(at("eks:index:Cluster eks-west"));
        expect(at("kubernetes:helm.sh/v3:Release aks-east-release")).toBeGreaterThan(at("eks:index:ManagedNodeGroup eks-west-nodes"));
    });
});
