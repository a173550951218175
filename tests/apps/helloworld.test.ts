import { Recorder } from "../harness";
import { meshes, runMesh } from "../stacks/fixtures";

const DEPLOYMENT = "kubernetes:apps/v1:Deployment";

describe("the helloworld demo of the dev mesh", () => {
    let rec: Recorder;
    beforeAll(async () => {
        ({ rec } = await runMesh(meshes.dev));
    });

    it.each([
        ["eks-west", "v1"],
        ["aks-east", "v2"],
        ["gke-central", "v1"],
    ])("runs helloworld (%s serves %s), its Service and a curl client in an injected namespace", (cluster, version) => {
        expect(rec.oneIn("kubernetes:core/v1:Namespace", cluster, "sample").inputs.metadata.labels).toEqual({
            "istio-injection": "enabled",
        });
        const service = rec.oneIn("kubernetes:core/v1:Service", cluster, "helloworld");
        expect(service.inputs.spec).toMatchObject({
            selector: { app: "helloworld" },
            ports: [{ name: "http", port: 5000, targetPort: 5000 }],
        });
        const helloworld = rec.inCluster(DEPLOYMENT, cluster).filter((d) => d.inputs.metadata.name.startsWith("helloworld-"));
        expect(helloworld.map((d) => d.inputs.metadata.name)).toEqual([`helloworld-${version}`]);
        const pod = helloworld[0].inputs.spec.template;
        expect(pod.metadata.labels).toEqual({ app: "helloworld", version });
        expect(pod.spec.containers[0].image).toBe(`docker.io/istio/examples-helloworld-${version}:1.0`);
        const curl = rec.oneIn(DEPLOYMENT, cluster, "curl");
        expect(curl.inputs.spec.template.spec.containers[0].image).toBe("docker.io/curlimages/curl:8.16.0");
        for (const d of [...helloworld, curl]) expect(d.inputs.metadata.namespace).toBe("sample");
    });

    it("starts a primary's workloads once its istiod injects", () => {
        for (const d of rec.inCluster(DEPLOYMENT, "eks-west")) {
            expect(rec.dependsOn(d, rec.oneIn("kubernetes:helm.sh/v3:Release", "eks-west", "istiod"))).toBe(true);
        }
    });

    it("starts a remote's workloads only once the remote is attached to its primary", () => {
        const attach = [
            rec.oneIn("kubernetes:helm.sh/v3:Release", "eks-west", "istiod"),
            rec.oneIn("kubernetes:networking.istio.io/v1:Gateway", "eks-west", "istiod-gateway"),
            rec.oneIn("kubernetes:networking.istio.io/v1:VirtualService", "eks-west", "istiod-vs"),
            rec.oneIn("kubernetes:core/v1:Service", "eks-west", "istio-eastwestgateway"),
            rec.oneIn("kubernetes:core/v1:Secret", "eks-west", "istio-remote-secret-aks-east"),
            rec.oneIn("kubernetes:helm.sh/v3:Release", "aks-east", "istio-eastwestgateway"),
        ];
        const workloads = rec.inCluster(DEPLOYMENT, "aks-east");
        expect(workloads).toHaveLength(2);
        for (const d of workloads) {
            for (const step of attach) {
                expect({ workload: d.name, step: step.name, waits: rec.dependsOn(d, step) }).toEqual({
                    workload: d.name,
                    step: step.name,
                    waits: true,
                });
            }
        }
    });

    it("adds no traffic policy unless asked", () => {
        expect(rec.ofType("kubernetes:networking.istio.io/v1:DestinationRule")).toEqual([]);
        expect(
            rec.ofType("kubernetes:networking.istio.io/v1:VirtualService").filter((v) => v.inputs.metadata.name === "helloworld"),
        ).toEqual([]);
    });
});

describe("the demo's traffic policy", () => {
    let rec: Recorder;
    beforeAll(async () => {
        ({ rec } = await runMesh({ ...meshes.dev, trafficPolicy: { localityFailover: true, versionHeader: true } }));
    });

    it("fails over by locality, with the outlier detection failover needs, on every primary only", () => {
        const rules = rec.ofType("kubernetes:networking.istio.io/v1:DestinationRule");
        expect(rules.map((r) => rec.providerOf(r)?.name).sort()).toEqual(["eks-west", "gke-central"]);
        for (const rule of rules) {
            expect(rule.inputs.metadata).toEqual({ name: "helloworld", namespace: "sample" });
            expect(rule.inputs.spec).toEqual({
                host: "helloworld.sample.svc.cluster.local",
                subsets: [
                    { name: "v1", labels: { version: "v1" } },
                    { name: "v2", labels: { version: "v2" } },
                ],
                trafficPolicy: {
                    loadBalancer: { localityLbSetting: { enabled: true } },
                    outlierDetection: { consecutive5xxErrors: 1, interval: "1s", baseEjectionTime: "1m" },
                },
            });
        }
    });

    it("pins end-user jason to v2 and balances everyone else", () => {
        const routes = rec
            .ofType("kubernetes:networking.istio.io/v1:VirtualService")
            .filter((v) => v.inputs.metadata.name === "helloworld");
        expect(routes.map((r) => rec.providerOf(r)?.name).sort()).toEqual(["eks-west", "gke-central"]);
        expect(routes[0].inputs.spec.http).toEqual([
            {
                match: [{ headers: { "end-user": { exact: "jason" } } }],
                route: [{ destination: { host: "helloworld.sample.svc.cluster.local", subset: "v2" } }],
            },
            { route: [{ destination: { host: "helloworld.sample.svc.cluster.local" } }] },
        ]);
    });
});

describe("without the demo", () => {
    it("deploys no sample namespace and no workloads", async () => {
        const { rec } = await runMesh(meshes["primary-remote"]);
        expect(rec.ofType(DEPLOYMENT)).toEqual([]);
        expect(rec.ofType("kubernetes:core/v1:Namespace").filter((n) => n.inputs.metadata.name === "sample")).toEqual([]);
    });
});

describe("PERMISSIVE mTLS", () => {
    it("is written on every primary when configured", async () => {
        const { rec } = await runMesh({ ...meshes["multi-primary"], mtlsMode: "PERMISSIVE" });
        const policies = rec.ofType("kubernetes:security.istio.io/v1:PeerAuthentication");
        expect(policies).toHaveLength(2);
        for (const p of policies) expect(p.inputs.spec).toEqual({ mtls: { mode: "PERMISSIVE" } });
    });
});
