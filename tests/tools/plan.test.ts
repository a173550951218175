import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse } from "yaml";
import { ConfigError, parseMeshConfig } from "../../stacks/config";
import { defaultParallel, parseArgs, UsageError } from "../../tools/plan/args";
import { runPlan } from "../../tools/plan/main";
import { readStackConfig } from "../../tools/plan/stackConfig";
import { syntheticServer } from "../../tools/synthetic/placeholders";
import { Recorder, reveal } from "../harness";
import { stackFileConfig, existingKubeconfig, runMesh } from "../stacks/fixtures";

const root = path.join(__dirname, "..", "..");
const RELEASE = "kubernetes:helm.sh/v3:Release";

const scratch: string[] = [];
afterAll(() => scratch.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

function tmpDir(prefix: string): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    scratch.push(dir);
    return dir;
}

/** A scratch copy of the project's Pulumi.yaml with the given stack files. */
function project(stackFiles: Record<string, string>): string {
    const dir = tmpDir("plan-project-");
    fs.copyFileSync(path.join(root, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
    for (const [name, text] of Object.entries(stackFiles)) fs.writeFileSync(path.join(dir, name), text);
    return dir;
}

/** The cluster a registration lands in: its Kubernetes provider is named after the cluster. */
const clusterOf = (rec: Recorder, r: { provider: string }) => rec.providerOf(r as any)?.name;

describe("npm run plan on the dev stack", () => {
    let out: string;
    let result: Awaited<ReturnType<typeof runPlan>>;
    let rec: Recorder;

    beforeAll(async () => {
        out = tmpDir("plan-out-");
        result = await runPlan({ stack: "dev", out, projectDir: root, parallel: 8 });
        // The same program run the tests run, for what it sends.
        ({ rec } = await runMesh(stackFileConfig("dev")));
    });

    it("succeeds and says first that the outputs are synthetic", () => {
        expect(result.stderr).toBe("");
        expect(result.exitCode).toBe(0);
        const head = result.stdout.split("\n").slice(0, 8).join("\n");
        expect(head).toMatch(/SYNTHETIC OUTPUTS/);
        expect(head).toMatch(/No cloud was contacted and no credentials were used/);
    });

    it("writes every Helm release's values exactly as the program sends them", () => {
        const releases = rec.ofType(RELEASE);
        expect(releases.length).toBe(11);
        for (const r of releases) {
            const file = path.join(out, clusterOf(rec, r)!, `${r.inputs.name}.yaml`);
            expect({ file, values: parse(fs.readFileSync(file, "utf8")) }).toEqual({ file, values: reveal(r.inputs.values) });
        }
        expect(result.written.filter((f) => f.endsWith(".yaml")).length).toBe(releases.length);
    });

    it("labels the values files as coming from the offline plan with synthetic addresses", () => {
        const text = fs.readFileSync(path.join(out, "aks-east", "istiod.yaml"), "utf8");
        expect(text.split("\n").slice(0, 2).join("\n")).toMatch(/offline plan: addresses in it are SYNTHETIC/);
    });

    it("writes topology.md with a Mermaid block naming every cluster", () => {
        const topology = fs.readFileSync(path.join(out, "topology.md"), "utf8");
        expect(topology).toMatch(/^#### Mesh topology of stack `dev`\n\n```mermaid\nflowchart LR\n/);
        expect(topology).toMatch(/\n```\n/);
        for (const name of ["eks-west", "aks-east", "gke-central"]) expect(topology).toContain(`["${name}<br/>`);
    });

    it("prints each cluster's place in the mesh, its releases and the remote secrets it holds", () => {
        const section = (name: string) => result.stdout.split(/\n(?=Cluster )/).find((s) => s.startsWith(`Cluster ${name}\n`))!;
        expect(section("eks-west")).toContain("cloud: aws   region: us-west-2   role: primary   network: network1");
        expect(section("eks-west")).toMatch(/istiod +chart istiod 1\.31\.1/);
        expect(section("eks-west")).toMatch(/istio-ingressgateway +chart gateway 1\.31\.1 +in istio-ingress/);
        expect(section("eks-west")).toContain("remote secrets held: gke-central, aks-east");
        expect(section("gke-central")).toContain("remote secrets held: eks-west, aks-east");
        expect(section("aks-east")).toContain("role: remote of eks-west");
        expect(section("aks-east")).toContain("remote secrets held: none");
    });

    it("says where the remote's remotePilotAddress comes from, with the synthetic value labelled", () => {
        const istiod = rec.ofType(RELEASE).find((r) => clusterOf(rec, r) === "aks-east" && r.inputs.name === "istiod")!;
        const address = reveal(istiod.inputs.values).global.remotePilotAddress;
        expect(result.stdout).toContain(
            `remotePilotAddress: static IP of eks-west's east-west gateway (Elastic IP) = ${address} [synthetic]`,
        );
    });

    it("prints the warnings the program logs", () => {
        expect(result.stdout).toMatch(
            /Warnings the program logged \(1\):\n {2}- Elastic IPs: the EKS clusters in us-west-2 \(eks-west\) need 5 Elastic IPs/,
        );
    });

    it("estimates the time to a working mesh with the parallel limit it was given", () => {
        expect(result.stdout).toMatch(/with --parallel 8 \(from --parallel\): \d+ min/);
        expect(result.stdout).toMatch(/critical path \(unbounded parallelism\): \d+ min/);
        expect(result.stdout).toMatch(/one step after another \(a runbook by hand\): 1 h \d\d min/);
        // The remote's gateway waits for its primary's gateway: the path crosses clusters.
        expect(result.stdout).toMatch(/eks-west +eks-west: EKS control plane[\s\S]*aks-east +release istio-eastwestgateway/);
    });
});

describe("npm run plan on other stack files", () => {
    it("shows each cluster's revisions and the default tag's target, and warns where nodes cannot hold them", async () => {
        const devFile = fs.readFileSync(path.join(root, "Pulumi.dev.yaml"), "utf8");
        const revisions = (extra: string) =>
            devFile +
            [
                "  istio-multicloud:revisions:",
                "    - { name: default, version: 1.30.4 }",
                "    - { name: 1-31, version: 1.31.1 }",
                extra,
                "  istio-multicloud:defaultRevision: 1-31",
                "",
            ].join("\n");
        const dir = project({
            "Pulumi.canary.yaml": revisions(""),
            "Pulumi.three.yaml": revisions("    - { name: 1-31-2, version: 1.31.2 }"),
        });
        const result = await runPlan({ stack: "canary", projectDir: dir });
        expect(result.stderr).toBe("");
        expect(result.exitCode).toBe(0);
        const section = (name: string) => result.stdout.split(/\n(?=Cluster )/).find((s) => s.startsWith(`Cluster ${name}\n`))!;
        for (const name of ["eks-west", "aks-east", "gke-central"]) {
            expect(section(name)).toContain("revisions: default (1.30.4), 1-31 (1.31.1); default tag -> 1-31");
        }
        expect(section("eks-west")).toMatch(/istiod-1-31 +chart istiod 1\.31\.1/);
        expect(result.stdout).not.toMatch(/may not hold/);
        const three = await runPlan({ stack: "three", projectDir: dir });
        expect(three.stdout).toMatch(
            /Warnings the program logged \(2\):[\s\S]*clusters\[0\]\.nodeSize: 2 x "m5\.large" may not hold 3 revisions/,
        );
    });

    it("stands in synthetic kubeconfigs and placeholders for secrets, and still runs", async () => {
        const dir = project({
            "Pulumi.onprem.yaml": [
                "config:",
                "  gcp:project: acme-mesh",
                "  gcp:credentials:",
                "    secure: v1:AAAAAAAAAAAAAAAAAAAAAA==",
                "  istio-multicloud:clusters:",
                "    - { name: onprem, cloud: existing, network: n-onprem, eastWestAddress: 203.0.113.20 }",
                "    - { name: west, cloud: gcp, region: us-west1, role: remote, primary: onprem }",
                "  istio-multicloud:kubeconfigs:",
                "    onprem:",
                "      secure: v1:BBBBBBBBBBBBBBBBBBBBBB==",
                "",
            ].join("\n"),
        });
        const result = await runPlan({ stack: "onprem", projectDir: dir });
        expect(result.stderr).toBe("");
        expect(result.exitCode).toBe(0);
        expect(result.stdout).toContain(
            `istio-multicloud:kubeconfigs.onprem: a synthetic kubeconfig (server ${syntheticServer("onprem")}) [synthetic]`,
        );
        expect(result.stdout).toContain("gcp:credentials: a labelled placeholder string [synthetic]");
        expect(result.stdout).toContain(
            "remotePilotAddress: static IP of onprem's east-west gateway (configured eastWestAddress) = 203.0.113.20 [from config]",
        );
    });

    it("passes the synthetic kubeconfig as a secret the program can read the server and CA from", () => {
        const dir = project({
            "Pulumi.onprem.yaml":
                "config:\n  istio-multicloud:clusters:\n    - { name: onprem, cloud: existing }\n  istio-multicloud:kubeconfigs:\n    onprem:\n      secure: v1:CC==\n",
        });
        const config = readStackConfig(dir, "onprem");
        expect(config.secretKeys).toEqual(["istio-multicloud:kubeconfigs"]);
        const kubeconfig = JSON.parse(config.values["istio-multicloud:kubeconfigs"]).onprem;
        expect(kubeconfig).toMatch(/^# SYNTHETIC kubeconfig for cluster onprem/);
        const doc = parse(kubeconfig);
        expect(doc.clusters[0].cluster.server).toBe(syntheticServer("onprem"));
        expect(Buffer.from(doc.clusters[0].cluster["certificate-authority-data"], "base64").toString()).toMatch(/SYNTHETIC CA of onprem/);
    });

    // The model checks that a root's key is its certificate's (issue 13): a placeholder of one
    // half could never pass, so the plan stands in a synthetic CA for the whole root.
    it("stands in a synthetic root CA for a root the user brings as secret config, so the program accepts it", async () => {
        const dir = project({
            "Pulumi.own.yaml": [
                "config:",
                "  istio-multicloud:clusters:",
                "    - { name: solo, cloud: gcp, region: us-east1, project: acme-mesh }",
                "  istio-multicloud:rootCa:",
                "    certPem: |",
                "      -----BEGIN CERTIFICATE-----",
                "      QUJD",
                "      -----END CERTIFICATE-----",
                "    keyPem:",
                "      secure: v1:EE==",
                "",
            ].join("\n"),
        });
        const result = await runPlan({ stack: "own", projectDir: dir });
        expect(result.exitCode).toBe(0);
        expect(result.stdout).toContain("istio-multicloud:rootCa: a synthetic root CA (certificate and its key) [synthetic]");
    });

    it("stands in a synthetic kubeconfig per existing cluster when the whole map is one secret", () => {
        const dir = project({
            "Pulumi.m.yaml":
                "config:\n  istio-multicloud:clusters:\n    - { name: lab, cloud: existing }\n    - { name: east, cloud: aws, region: us-east-1 }\n" +
                "  istio-multicloud:kubeconfigs:\n    secure: v1:DD==\n",
        });
        const config = readStackConfig(dir, "m");
        expect(Object.keys(JSON.parse(config.values["istio-multicloud:kubeconfigs"]))).toEqual(["lab"]);
        expect(config.substitutions).toEqual(["istio-multicloud:kubeconfigs: synthetic kubeconfigs for lab"]);
    });

    it("applies Pulumi.yaml's defaults under the stack's own values", () => {
        const dir = project({ "Pulumi.s.yaml": "config:\n  istio-multicloud:meshId: corp\n  istio-multicloud:clusters: []\n" });
        const { values } = readStackConfig(dir, "org/istio-multicloud/s");
        expect(values["istio-multicloud:meshId"]).toBe("corp");
        expect(values["istio-multicloud:istioVersion"]).toBe("1.31.1");
        expect(values["istio-multicloud:protectRootCa"]).toBe("true");
        expect(values["pulumi:disable-default-providers"]).toBe('["kubernetes"]');
        expect(values["istio-multicloud:clusters"]).toBe("[]");
    });

    it("stops with a clear message on a stack file that imports ESC environments", async () => {
        const dir = project({ "Pulumi.esc.yaml": "environment:\n  - acme/mesh-dev\nconfig:\n  istio-multicloud:demo: true\n" });
        const result = await runPlan({ stack: "esc", projectDir: dir });
        expect(result.exitCode).toBe(1);
        expect(result.stdout).toBe("");
        expect(result.stderr).toBe(
            "error: Pulumi.esc.yaml imports Pulumi ESC environments (environment: acme/mesh-dev). The offline plan cannot resolve ESC: " +
                "it needs the Pulumi Cloud and credentials. Run pulumi preview --stack esc instead, or plan a stack whose file sets every value itself.\n",
        );
    });

    it("prints exactly the program's config error and exits non-zero", async () => {
        const clusters = [
            { name: "alpha", cloud: "aws", region: "us-west-2", nodeSize: "t3.medium" },
            { name: "beta", cloud: "azure", region: "eastus", role: "remote", primary: "gamma" },
        ];
        const dir = project({ "Pulumi.bad.yaml": `config:\n  istio-multicloud:clusters: ${JSON.stringify(clusters)}\n` });
        // What the program throws under `pulumi up` for this config.
        let expected = "";
        try {
            parseMeshConfig({ clusters });
        } catch (err) {
            expected = (err as ConfigError).message;
        }
        expect(expected).toMatch(/^Stack config is not valid \(2 problems\):/);

        const result = await runPlan({ stack: "bad", projectDir: dir });
        expect(result.exitCode).toBe(1);
        expect(result.stdout).toBe("");
        expect(result.stderr).toBe(`The program refused the config of stack bad (Pulumi.bad.yaml), as pulumi up would:\n${expected}\n`);
    });

    it("names the stacks that have a stack file when the one asked for has none", async () => {
        const dir = project({ "Pulumi.dev.yaml": "config: {}\n", "Pulumi.prod.yaml": "config: {}\n" });
        const result = await runPlan({ stack: "staging", projectDir: dir });
        expect(result.exitCode).toBe(1);
        expect(result.stderr).toBe(
            `error: stack staging: there is no Pulumi.staging.yaml in ${dir}. Stacks with a stack file here: dev, prod.\n`,
        );
    });

    it("refuses a value of the wrong type the way pulumi up does", async () => {
        const dir = project({ "Pulumi.t.yaml": "config:\n  istio-multicloud:demo: sometimes\n" });
        const result = await runPlan({ stack: "t", projectDir: dir });
        expect(result.exitCode).toBe(1);
        expect(result.stderr).toBe("error: validating stack config: Stack 't' with configuration key 'demo' must be of type 'boolean'\n");
    });

    it("plans an existing cluster whose kubeconfig is in plain text as given", async () => {
        const dir = project({
            "Pulumi.plain.yaml": `config:\n  istio-multicloud:clusters:\n    - { name: onprem, cloud: existing }\n  istio-multicloud:kubeconfigs:\n    onprem: ${JSON.stringify(existingKubeconfig)}\n`,
        });
        const result = await runPlan({ stack: "plain", projectDir: dir });
        expect(result.stderr).toBe("");
        expect(result.exitCode).toBe(0);
        expect(result.stdout).not.toContain("Secrets are not decrypted");
    });
});

describe("the plan's command line", () => {
    it("takes the stack, the output directory, the parallel limit and the project directory", () => {
        expect(parseArgs(["--stack", "dev", "--out=plan-out", "--parallel", "16", "--cwd", "/p"])).toEqual({
            stack: "dev",
            out: "plan-out",
            parallel: 16,
            projectDir: "/p",
        });
        expect(parseArgs(["--help"])).toBe("help");
    });

    it("says what is wrong with a bad command line", () => {
        expect(() => parseArgs([])).toThrow(new UsageError("--stack is required, e.g. --stack dev (plans Pulumi.dev.yaml)"));
        expect(() => parseArgs(["--stack", "dev", "--parallel", "0"])).toThrow(/--parallel 0: must be a whole number of at least 1/);
        expect(() => parseArgs(["--stack", "dev", "--outdir", "x"])).toThrow(/unknown option --outdir/);
    });

    it("defaults the parallel limit the way the Pulumi CLI does", () => {
        expect(defaultParallel({}, 2)).toEqual({ value: 8, source: "Pulumi's default on this machine: 4 x 2 CPUs" });
        expect(defaultParallel({ PULUMI_PARALLEL: "12" }, 2)).toEqual({ value: 12, source: "from PULUMI_PARALLEL" });
    });
});
