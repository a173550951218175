import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { existingKubeconfig } from "../stacks/fixtures";
import { isSecret, Recorder, resolve, reveal, settle, startMockEngine } from "../harness";

const root = path.join(__dirname, "..", "..");
const RELEASE = "kubernetes:helm.sh/v3:Release";

/** The newest modification time under a folder. */
function newest(dir: string): number {
    return Math.max(
        ...fs.readdirSync(dir, { withFileTypes: true }).map((e) => {
            const p = path.join(dir, e.name);
            return e.isDirectory() ? newest(p) : fs.statSync(p).mtimeMs;
        }),
    );
}

describe("examples/existing-clusters, a program of one's own importing the built library", () => {
    let rec: Recorder;
    let outputs: Record<string, any>;

    beforeAll(async () => {
        const built = path.join(root, "dist", "index.js");
        if (!fs.existsSync(built) || fs.statSync(built).mtimeMs < newest(path.join(root, "components"))) {
            throw new Error("dist/ is missing or older than components/: run `npm run build` (npm test does)");
        }
        rec = startMockEngine(
            { eastKubeconfig: existingKubeconfig, westKubeconfig: existingKubeconfig.replace(/203\.0\.113\.10/g, "198.51.100.5") },
            { secretKeys: ["eastKubeconfig", "westKubeconfig"] },
        );
        outputs = require(path.join(root, "examples", "existing-clusters", "index.ts"));
        await settle();
    });

    it("resolves istio-multicloud, in Node itself, through package.json's exports to the built entry and its declarations", () => {
        const resolved = execFileSync(process.execPath, ["-p", 'require.resolve("istio-multicloud")'], { cwd: root });
        expect(resolved.toString().trim()).toBe(path.join(root, "dist", "index.js"));
        expect(fs.existsSync(path.join(root, "dist", "index.d.ts"))).toBe(true);
    });

    it("installs the primary's and the remote's control planes, the remote pointed at the primary's address", () => {
        const east = reveal(rec.oneIn(RELEASE, "east", "istiod").inputs.values);
        const west = reveal(rec.oneIn(RELEASE, "west", "istiod").inputs.values);
        expect(east).toMatchObject({ hub: "docker.io/istio", global: { externalIstiod: true, network: "net-east" }, autoscaleMin: 2 });
        expect(west).toMatchObject({ profile: "remote", global: { remotePilotAddress: "203.0.113.10", network: "net-west" } });
        expect(rec.oneIn(RELEASE, "west", "istiod").inputs.version).toBe("1.31.1");
    });

    it("puts the remote's secret in the primary, and keeps every kubeconfig secret", async () => {
        const secret = rec.oneIn("kubernetes:core/v1:Secret", "east", "istio-remote-secret-west");
        expect(isSecret(secret.inputs.stringData)).toBe(true);
        for (const p of rec.ofType("pulumi:providers:kubernetes")) expect(isSecret(p.inputs.kubeconfig)).toBe(true);
        expect((await resolve(outputs.remoteSecretsHeldByEast)).value).toEqual(["west"]);
        expect((await resolve(outputs.eastWestAddresses.east)).value).toBe("203.0.113.10");
    });

    it("names each cluster's provider on every Kubernetes resource", () => {
        const objects = rec.all.filter((r) => r.custom && r.type.startsWith("kubernetes:"));
        expect(objects.length).toBeGreaterThan(10);
        for (const o of objects) expect(["east", "west"]).toContain(rec.clusterOf(o));
    });
});
