import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseArgs, UsageError } from "../../tools/mesh/args";
import { explainPulumiError, MeshError } from "../../tools/mesh/errors";
import { MeshPlan, planMesh, Step } from "../../tools/mesh/order";
import { Changes, describePlan, MeshStack, MeshStepError, MeshWorkspace, previewCaveat, runPlan } from "../../tools/mesh/run";
import { meshStackConfig, readMeshStacks } from "../../tools/mesh/stackFiles";
import { syntheticRootCa } from "../../tools/synthetic/placeholders";

const root = path.join(__dirname, "..", "..");
const fq = (stack: string) => `acme/istio-multicloud/${stack}`;

// ---- Stack files: the 3-stack mesh (eks-team owns the root, gke-team multi-primary, aks-team a remote of eks-west)

const stackFiles: Record<string, string> = {
    "Pulumi.eks-team.yaml": `config:
  istio-multicloud:clusters:
    - { name: eks-west, cloud: aws, region: us-west-2, network: network1 }
  istio-multicloud:peers:
    - { name: gke-central, stack: acme/istio-multicloud/gke-team, role: primary, network: network3 }
    - { name: aks-east, stack: acme/istio-multicloud/aks-team, role: remote, primary: eks-west, network: network2 }
`,
    "Pulumi.gke-team.yaml": `config:
  gcp:project: istio-multicloud-dev
  istio-multicloud:rootCaFrom: acme/istio-multicloud/eks-team
  istio-multicloud:clusters:
    - { name: gke-central, cloud: gcp, region: us-central1, network: network3 }
  istio-multicloud:peers:
    - { name: eks-west, stack: acme/istio-multicloud/eks-team, role: primary, network: network1 }
    - { name: aks-east, stack: acme/istio-multicloud/aks-team, role: remote, primary: eks-west, network: network2 }
`,
    "Pulumi.aks-team.yaml": `config:
  istio-multicloud:clusters:
    - { name: aks-east, cloud: azure, region: eastus, network: network2, role: remote, primary: eks-west }
  istio-multicloud:peers:
    - { name: eks-west, stack: acme/istio-multicloud/eks-team, role: primary, network: network1 }
`,
};

const scratch: string[] = [];
afterAll(() => scratch.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

/** A scratch project: this project's Pulumi.yaml and the given stack files. */
function project(files: Record<string, string>): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mesh-project-"));
    scratch.push(dir);
    fs.copyFileSync(path.join(root, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
    for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
    return dir;
}

const threeStackPlan = (operation: "up" | "preview" | "destroy") =>
    planMesh(readMeshStacks(project(stackFiles), ["aks-team", "gke-team", "eks-team"]), operation);

// ---- A fake workspace: records every call, fails where told ---------------------------------

/** What the Pulumi CLI leaves on a failed command (a CommandError's commandResult). */
function cliError(stderr: string, stdout = ""): Error {
    return Object.assign(new Error(`code: 255\n stdout: ${stdout}\n stderr: ${stderr}`), { commandResult: { stdout, stderr, code: 255 } });
}

class FakeWorkspace implements MeshWorkspace {
    readonly workDir = "/work/main";
    readonly calls: string[] = [];
    closed = 0;
    /** Operations that throw, as `up <stack> #<n>` (the n-th up of that stack) or `open <stack>`. */
    readonly failures = new Map<string, Error>();
    private readonly counts = new Map<string, number>();

    constructor(public readonly existing: Set<string>) {}

    async open(name: string, create: boolean) {
        this.calls.push(`open ${name}${create ? " (create if missing)" : ""}`);
        const failure = this.failures.get(`open ${name}`);
        if (failure) throw failure;
        if (!this.existing.has(name)) {
            if (!create) return undefined;
            this.existing.add(name);
            return { stack: this.stack(name), created: true };
        }
        return { stack: this.stack(name), created: false };
    }

    async close() {
        this.closed++;
    }

    private stack(name: string): MeshStack {
        const operation =
            (op: string) =>
            async (onOutput: (text: string) => void): Promise<Changes> => {
                const n = (this.counts.get(`${op} ${name}`) ?? 0) + 1;
                this.counts.set(`${op} ${name}`, n);
                this.calls.push(`${op} ${name}`);
                onOutput(`Updating (${name}):\n  resources: ${n}`);
                const failure = this.failures.get(`${op} ${name} #${n}`);
                if (failure) throw failure;
                return op === "destroy" ? { delete: 12 } : { create: 2, same: 10 };
            };
        return { up: operation("up"), preview: operation("preview"), destroy: operation("destroy") };
    }
}

/** Runs a plan against the fake, collecting progress lines and output. */
async function run(plan: MeshPlan, workspace: FakeWorkspace) {
    const progress: string[] = [];
    const output: { step: Step; text: string }[] = [];
    let error: unknown;
    try {
        await runPlan(plan, workspace, { progress: (l) => progress.push(l), output: (step, text) => output.push({ step, text }) });
    } catch (err) {
        error = err;
    }
    return { progress, output, error };
}

// ---- Runner ----------------------------------------------------------------------------------

describe("npm run mesh -- up", () => {
    it("creates the missing stacks, then runs the passes in order, each stack by its fully qualified name", async () => {
        const workspace = new FakeWorkspace(new Set([fq("eks-team")]));
        const { progress, error } = await run(threeStackPlan("up"), workspace);
        expect(error).toBeUndefined();
        expect(workspace.calls).toEqual([
            `open ${fq("eks-team")} (create if missing)`,
            `open ${fq("aks-team")} (create if missing)`,
            `open ${fq("gke-team")} (create if missing)`,
            `up ${fq("eks-team")}`,
            `up ${fq("gke-team")}`,
            `up ${fq("aks-team")}`,
            `up ${fq("eks-team")}`,
            `up ${fq("gke-team")}`,
            `up ${fq("aks-team")}`,
        ]);
        expect(progress).toContain("[init] select or create eks-team: exists");
        expect(progress).toContain("[init] select or create aks-team: created (empty)");
        expect(workspace.closed).toBe(1);
    });

    it("prints a progress line per step saying what the pass does, and one when it is done", async () => {
        const { progress } = await run(threeStackPlan("up"), new FakeWorkspace(new Set()));
        expect(progress).toContain(
            "[pass B] up aks-team: remotes aks-east (primary eks-west in eks-team) install base+istiod and publish their remote secrets",
        );
        expect(progress).toContain("[pass B] up aks-team: done (create 2, same 10)");
    });

    it("hands each stack's Pulumi output over with the step it belongs to", async () => {
        const { output } = await run(threeStackPlan("up"), new FakeWorkspace(new Set()));
        expect(output[2]).toEqual({
            step: expect.objectContaining({ action: "up", pass: "B", stack: "aks-team" }),
            text: `Updating (${fq("aks-team")}):\n  resources: 1`,
        });
    });

    it("stops at the first failure, naming the stack and the pass, and runs nothing after it", async () => {
        const workspace = new FakeWorkspace(new Set());
        workspace.failures.set(
            `up ${fq("gke-team")} #2`,
            cliError(
                "error: update failed",
                "Diagnostics:\n  pulumi:pulumi:Stack (istio-multicloud-gke-team):\n    error: Stack config is not valid (1 problem):",
            ),
        );
        const { error } = await run(threeStackPlan("up"), workspace);
        expect(error).toBeInstanceOf(MeshStepError);
        expect((error as Error).message).toBe(
            `pass C, up of gke-team failed: pulumi up of stack ${fq("gke-team")} failed (its output is above): error: update failed | error: Stack config is not valid (1 problem):\n` +
                "Not run: pass D up aks-team. Fix it and run the same command again: steps already done run again without changes.",
        );
        expect(workspace.calls[workspace.calls.length - 1]).toBe(`up ${fq("gke-team")}`);
        expect(workspace.calls.filter((c) => c.startsWith("up"))).toHaveLength(5);
        expect(workspace.closed).toBe(1);
    });

    it("turns a StackReference to an unknown stack into a plain message", async () => {
        const workspace = new FakeWorkspace(new Set());
        workspace.failures.set(`up ${fq("aks-team")} #1`, cliError(`error: Preview failed: unknown stack "${fq("eks-team")}"`));
        const { error } = await run(threeStackPlan("up"), workspace);
        expect((error as Error).message).toMatch(
            new RegExp(
                `^pass B, up of aks-team failed: stack ${fq("aks-team")} reads stack ${fq("eks-team")} \\(a peer or its rootCaFrom\\), which the backend does not know or this identity cannot read`,
            ),
        );
    });

    it("stops at a stack it cannot create, before any up", async () => {
        const workspace = new FakeWorkspace(new Set());
        workspace.failures.set(
            `open ${fq("gke-team")}`,
            cliError("error: PULUMI_ACCESS_TOKEN must be set for login during non-interactive CLI sessions"),
        );
        const { error } = await run(threeStackPlan("up"), workspace);
        expect((error as Error).message).toMatch(/^init of gke-team failed: the Pulumi CLI is not logged in: run pulumi login/);
        expect(workspace.calls.some((c) => c.startsWith("up"))).toBe(false);
    });
});

describe("npm run mesh -- preview", () => {
    it("runs only previews, one per stack in up order, and says they see the peers' current outputs", async () => {
        const workspace = new FakeWorkspace(new Set([fq("eks-team"), fq("gke-team"), fq("aks-team")]));
        const { progress, error } = await run(threeStackPlan("preview"), workspace);
        expect(error).toBeUndefined();
        // Up order: the root owner, then --stacks order (aks-team, gke-team) among stacks that depend only on it.
        expect(workspace.calls.filter((c) => !c.startsWith("open"))).toEqual([
            `preview ${fq("eks-team")}`,
            `preview ${fq("aks-team")}`,
            `preview ${fq("gke-team")}`,
        ]);
        expect(workspace.calls.some((c) => c.includes("create if missing"))).toBe(false);
        expect(progress[0]).toBe(previewCaveat);
        expect(progress[progress.length - 1]).toBe(previewCaveat);
        expect(previewCaveat).toMatch(/previewed against its peers' CURRENT outputs/);
    });

    it("creates no stack, and names every missing one before previewing any", async () => {
        const workspace = new FakeWorkspace(new Set([fq("gke-team")]));
        const { error } = await run(threeStackPlan("preview"), workspace);
        expect((error as Error).message).toBe(
            `preview needs every stack of the mesh to exist; missing: ${fq("eks-team")}, ${fq("aks-team")}. ` +
                `npm run mesh -- up creates them (or pulumi stack init ${fq("eks-team")}); preview creates none.`,
        );
        expect(workspace.calls.some((c) => c.startsWith("preview"))).toBe(false);
        expect(workspace.existing.size).toBe(1);
    });
});

describe("npm run mesh -- destroy", () => {
    it("destroys the remote's stack and the rootCaFrom stack before the root owner, skipping a stack that does not exist", async () => {
        const workspace = new FakeWorkspace(new Set([fq("eks-team"), fq("aks-team")]));
        const { progress, error } = await run(threeStackPlan("destroy"), workspace);
        expect(error).toBeUndefined();
        expect(workspace.calls).toEqual([
            `open ${fq("aks-team")}`,
            `destroy ${fq("aks-team")}`,
            `open ${fq("gke-team")}`,
            `open ${fq("eks-team")}`,
            `destroy ${fq("eks-team")}`,
        ]);
        expect(progress).toContain("[destroy] gke-team: no such stack in the backend, nothing to destroy");
        expect(progress).toContain("[destroy] eks-team: done (delete 12)");
    });

    it("stops at a failed destroy and leaves the primaries' stacks alone", async () => {
        const workspace = new FakeWorkspace(new Set([fq("eks-team"), fq("gke-team"), fq("aks-team")]));
        workspace.failures.set(`destroy ${fq("aks-team")} #1`, cliError("error: the stack is currently locked by 1 lock(s)"));
        const { error } = await run(threeStackPlan("destroy"), workspace);
        expect((error as Error).message).toMatch(
            /^destroy of aks-team failed: another update of stack acme\/istio-multicloud\/aks-team is in progress/,
        );
        expect((error as Error).message).toMatch(/Not run: destroy gke-team; destroy eks-team\./);
        expect(workspace.calls.filter((c) => c.startsWith("destroy"))).toEqual([`destroy ${fq("aks-team")}`]);
    });
});

describe("the plan printed before anything runs", () => {
    it("numbers the steps and says what each does", () => {
        const text = describePlan(threeStackPlan("up"));
        expect(text.split("\n")[0]).toBe("mesh up: 3 stacks, 9 steps");
        expect(text).toContain(
            " 6. [pass B] up aks-team: remotes aks-east (primary eks-west in eks-team) install base+istiod and publish their remote secrets",
        );
    });
});

// ---- Pulumi CLI errors -----------------------------------------------------------------------

describe("Pulumi CLI errors in plain words", () => {
    const ctx = { stack: fq("eks-team"), action: "up" as const, workDir: "/work/main" };

    it("says what is needed when the CLI is missing", () => {
        const enoent = Object.assign(new Error("spawn pulumi ENOENT"), { code: "ENOENT" });
        expect(explainPulumiError(enoent, { action: "open", workDir: "/work/main" })).toMatch(
            /needs the Pulumi CLI \(3.x\) on PATH, logged in \(pulumi login\) to the one backend that holds every stack of the mesh, and every stack's secrets provider/,
        );
    });

    it("tells a missing passphrase from a wrong one", () => {
        expect(
            explainPulumiError(
                cliError(
                    "error: passphrase must be set with PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE environment variables",
                ),
                ctx,
            ),
        ).toBe(
            `stack ${fq("eks-team")} encrypts its secrets with a passphrase: set PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE (one passphrase for every stack of the run)`,
        );
        expect(explainPulumiError(cliError("error: incorrect passphrase"), ctx)).toMatch(
            /cannot be decrypted with the passphrase given: PULUMI_CONFIG_PASSPHRASE is one variable for every stack/,
        );
    });

    it("names a stack that does not exist", () => {
        expect(explainPulumiError(cliError(`error: no stack named '${fq("eks-team")}' found`), { ...ctx, action: "init" })).toMatch(
            /^stack acme\/istio-multicloud\/eks-team does not exist in the backend the Pulumi CLI is logged in to \(project in \/work\/main\)/,
        );
    });

    it("keeps the first error lines of anything else", () => {
        expect(explainPulumiError(cliError("warning: x\nerror: one\nerror: two\nerror: three\nerror: four"), ctx)).toBe(
            `pulumi up of stack ${fq("eks-team")} failed (its output is above): error: one | error: two | error: three`,
        );
    });
});

// ---- Command line ----------------------------------------------------------------------------

describe("the command line", () => {
    it("takes the operation, the stacks, the project directory and --yes", () => {
        expect(parseArgs(["up", "--stacks", "eks-team,aks-team", "--cwd", "/p", "--yes"], "/here")).toEqual({
            help: false,
            operation: "up",
            stacks: ["eks-team", "aks-team"],
            cwd: "/p",
            yes: true,
        });
        expect(parseArgs(["--stacks=acme/istio-multicloud/dev", "preview"], "/here")).toEqual({
            help: false,
            operation: "preview",
            stacks: ["acme/istio-multicloud/dev"],
            cwd: "/here",
            yes: false,
        });
        expect(parseArgs(["--help"], "/here")).toEqual({ help: true });
    });

    it("says what is wrong with a bad command line", () => {
        const bad = (argv: string[]) => () => parseArgs(argv, "/here");
        expect(bad(["--stacks", "a"])).toThrow(new UsageError("an operation is required: up, preview, destroy"));
        expect(bad(["deploy", "--stacks", "a"])).toThrow(new UsageError(`"deploy" is not an operation (valid: up, preview, destroy)`));
        expect(bad(["up"])).toThrow(/--stacks is required/);
        expect(bad(["up", "--stacks", "a,,b"])).toThrow(/has an empty name/);
        expect(bad(["up", "--stacks", "a", "--parallel", "4"])).toThrow(
            new UsageError("unknown option --parallel (options: --stacks, --cwd, --yes)"),
        );
        expect(bad(["up", "--stacks", "a", "--yes=no"])).toThrow(new UsageError("--yes takes no value"));
    });
});

// ---- Stack files -----------------------------------------------------------------------------

describe("reading the stack files", () => {
    it("reads clusters, peers, rootCaFrom and meshId (with Pulumi.yaml's default) from each stack file", () => {
        const input = readMeshStacks(project(stackFiles), ["eks-team", "acme/istio-multicloud/gke-team"]);
        expect(input.project).toBe("istio-multicloud");
        expect(input.stacks[1]).toEqual({
            name: "acme/istio-multicloud/gke-team",
            config: {
                file: "Pulumi.gke-team.yaml",
                meshId: "mesh1",
                clusters: [{ name: "gke-central", role: "primary", network: "network3", primary: undefined }],
                peers: [
                    { name: "eks-west", stack: fq("eks-team"), role: "primary", network: "network1", primary: undefined },
                    { name: "aks-east", stack: fq("aks-team"), role: "remote", network: "network2", primary: "eks-west" },
                ],
                rootCaFrom: fq("eks-team"),
                bringsRoot: false,
            },
        });
    });

    it("notes a stack that brings the mesh root itself (rootCa)", () => {
        const problems: string[] = [];
        const config = meshStackConfig(
            "Pulumi.x.yaml",
            {
                "istio-multicloud:clusters": JSON.stringify([{ name: "a", cloud: "aws", region: "us-west-2" }]),
                "istio-multicloud:rootCa": JSON.stringify(syntheticRootCa),
            },
            problems,
        );
        expect(problems).toEqual([]);
        expect(config.bringsRoot).toBe(true);
    });

    // The orchestrator reads stack files with the program's config model (issue 13): the same
    // problems, in the program's words, each after its file.
    it("reports every problem of every file at once, as the program would", () => {
        const problems: string[] = [];
        meshStackConfig(
            "Pulumi.x.yaml",
            {
                "istio-multicloud:clusters": JSON.stringify([{ name: "a", cloud: "aws", region: "us-west-2", role: "main" }]),
                "istio-multicloud:peers": JSON.stringify([
                    { name: "p", stack: "acme/istio-multicloud/y", network: "n" },
                    { name: "q", stack: "s", role: "remote" },
                ]),
                "istio-multicloud:rootCaFrom": " ",
            },
            problems,
        );
        expect(problems).toEqual([
            `Pulumi.x.yaml: clusters[0].role: "main" is not valid (valid: primary, remote)`,
            `Pulumi.x.yaml: peers[0].role: is required (valid: primary, remote)`,
            `Pulumi.x.yaml: peers[1].stack: "s" is not valid (expected a fully qualified stack name such as acme/istio-multicloud/aks-team)`,
            `Pulumi.x.yaml: peers[1].network: is required (string)`,
            `Pulumi.x.yaml: rootCaFrom: " " is not valid (expected a fully qualified stack name such as acme/istio-multicloud/eks-team)`,
        ]);
        const missing: string[] = [];
        meshStackConfig("Pulumi.y.yaml", { "istio-multicloud:peers": `{"name":"p"}` }, missing);
        expect(missing).toEqual([`Pulumi.y.yaml: clusters: is required (array)`, `Pulumi.y.yaml: peers: {"name":"p"} is not an array`]);
    });

    it("gives a cluster without network the program's default, network-<name>, and holds peers to it", () => {
        const files = {
            ...stackFiles,
            "Pulumi.eks-team.yaml": stackFiles["Pulumi.eks-team.yaml"].replace(
                "region: us-west-2, network: network1 }",
                "region: us-west-2 }",
            ),
        };
        const input = readMeshStacks(project(files), ["eks-team", "gke-team", "aks-team"]);
        expect(input.stacks[0].config.clusters).toEqual([
            { name: "eks-west", role: "primary", primary: undefined, network: "network-eks-west" },
        ]);
        expect(() => planMesh(input, "up")).toThrow(
            `Pulumi.gke-team.yaml: peers[0].network: "network1", but Pulumi.eks-team.yaml clusters[0] has network "network-eks-west" (set network: network-eks-west)`,
        );
    });

    it("refuses a stack file the program would refuse, before any stack runs", () => {
        const files = {
            ...stackFiles,
            "Pulumi.aks-team.yaml": stackFiles["Pulumi.aks-team.yaml"].replace("network: network2,", "network: Net_2!,"),
        };
        expect(() => readMeshStacks(project(files), ["eks-team", "gke-team", "aks-team"])).toThrow(
            `Pulumi.aks-team.yaml: clusters[0].network: "Net_2!" is not a Kubernetes label value`,
        );
    });

    it("names the stack files there are when one is missing, and refuses ESC environments", () => {
        const dir = project({ ...stackFiles, "Pulumi.esc-team.yaml": "environment:\n  - mesh/shared\nconfig: {}\n" });
        expect(() => readMeshStacks(dir, ["eks-team", "gke-tam"])).toThrow(
            new MeshError(
                `stack gke-tam: there is no Pulumi.gke-tam.yaml in ${dir}. Stacks with a stack file here: aks-team, eks-team, esc-team, gke-team.`,
            ),
        );
        expect(() => readMeshStacks(dir, ["esc-team"])).toThrow(
            /^Pulumi.esc-team.yaml imports Pulumi ESC environments: the mesh orchestrator orders the stacks from their stack files alone/,
        );
    });
});
