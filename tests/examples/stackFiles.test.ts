import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { planMesh } from "../../tools/mesh/order";
import { readMeshStacks } from "../../tools/mesh/stackFiles";
import { runPlan } from "../../tools/plan/main";
import { Recorder, reveal } from "../harness";
import { runStack, stackFileConfig } from "../stacks/fixtures";

const root = path.join(__dirname, "..", "..");
const examples = path.join(root, "examples", "stacks");
const RELEASE = "kubernetes:helm.sh/v3:Release";

/** A Pulumi project folder holding this project's Pulumi.yaml and the given stack files. */
function projectWith(files: string[]): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "example-stacks-"));
    fs.copyFileSync(path.join(root, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
    for (const f of files) fs.copyFileSync(f, path.join(dir, path.basename(f)));
    return dir;
}

const remoteSecretsIn = (rec: Recorder, cluster: string) =>
    rec
        .inCluster("kubernetes:core/v1:Secret", cluster)
        .map((s) => s.inputs.metadata.name as string)
        .filter((n) => n.startsWith("istio-remote-secret-"))
        .sort();

describe.each(["primary-remote", "multi-primary"])("the example stack file Pulumi.%s.yaml", (shape) => {
    it("plans offline, as npm run plan does, without a config error", async () => {
        const result = await runPlan({ stack: shape, projectDir: projectWith([path.join(examples, `Pulumi.${shape}.yaml`)]) });
        expect({ exitCode: result.exitCode, error: result.stderr }).toEqual({ exitCode: 0, error: "" });
        expect(result.stdout).toMatch(/Cluster /);
    });

    it("builds a mesh where every primary holds every other cluster's remote secret", async () => {
        const { rec } = await runStack(stackFileConfig(shape, "examples/stacks"));
        const clusters = stackFileConfig(shape, "examples/stacks").clusters as { name: string; role?: string }[];
        for (const p of clusters.filter((c) => (c.role ?? "primary") === "primary")) {
            expect(remoteSecretsIn(rec, p.name)).toEqual(
                clusters
                    .filter((c) => c.name !== p.name)
                    .map((c) => `istio-remote-secret-${c.name}`)
                    .sort(),
            );
        }
    });
});

describe("the example split mesh (examples/stacks/split): three stacks, one team each", () => {
    const files = ["eks-team", "aks-team", "gke-team"].map((s) => path.join(examples, "split", `Pulumi.${s}.yaml`));
    const config = (stack: string) => stackFileConfig(stack, "examples/stacks/split");
    const fq = (stack: string) => `acme/istio-multicloud/${stack}`;

    it("is ordered by npm run mesh from its stack files: the root owner first, the remote's passes after its primary's", () => {
        const input = readMeshStacks(projectWith(files), ["eks-team", "aks-team", "gke-team"]);
        const steps = planMesh(input, "up").steps.map((s) => (s.action === "up" ? `${s.pass} ${s.stack}` : `${s.action} ${s.stack}`));
        expect(steps).toEqual([
            "init eks-team",
            "init aks-team",
            "init gke-team",
            "A eks-team",
            "A gke-team",
            "B aks-team",
            "C eks-team",
            "C gke-team",
            "D aks-team",
        ]);
    });

    it("comes together after the passes: both primaries hold every other cluster's secret, the remote has its gateway", async () => {
        const a1 = await runStack(config("eks-team"), { stack: "eks-team" });
        const a2 = await runStack(config("gke-team"), { stack: "gke-team", published: { [fq("eks-team")]: a1.published } });
        const b = await runStack(config("aks-team"), {
            stack: "aks-team",
            published: { [fq("eks-team")]: a1.published, [fq("gke-team")]: a2.published },
        });
        const published = { [fq("aks-team")]: b.published, [fq("gke-team")]: a2.published, [fq("eks-team")]: a1.published };
        const c1 = await runStack(config("eks-team"), { stack: "eks-team", published });
        const c2 = await runStack(config("gke-team"), { stack: "gke-team", published: { ...published, [fq("eks-team")]: c1.published } });
        const d = await runStack(config("aks-team"), {
            stack: "aks-team",
            published: { ...published, [fq("eks-team")]: c1.published, [fq("gke-team")]: c2.published },
        });

        expect(remoteSecretsIn(c1.rec, "eks-west")).toEqual(["istio-remote-secret-aks-east", "istio-remote-secret-gke-central"]);
        expect(remoteSecretsIn(c2.rec, "gke-central")).toEqual(["istio-remote-secret-aks-east", "istio-remote-secret-eks-west"]);
        expect(d.rec.inCluster(RELEASE, "aks-east", "istio-eastwestgateway")).toHaveLength(1);
        expect(reveal(d.rec.oneIn(RELEASE, "aks-east", "istiod").inputs.values).global.remotePilotAddress).toBe(
            c1.published.outputs.clusters["eks-west"].eastWestAddress,
        );
        expect(d.outputs.waitingFor).toBeUndefined();
    });
});
