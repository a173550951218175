/**
 * The Istio releases this program supports and where their artefacts come from. Dated facts,
 * each with its source: check them against Istio's release notes when a minor or patch ships.
 */

/** What the program knows of one Istio minor. */
export interface IstioMinor {
    minor: string;
    /** Oldest patch the program accepts on this minor, and why. */
    minPatch: number;
    minPatchReason?: string;
    /** Kubernetes minors (1.x) Istio supports for it. */
    kubernetes: { min: number; max: number };
    /** False where no reachable source gave the range: then it is an assumption, said so in docs/upgrades.md and the README. */
    kubernetesConfirmed: boolean;
}

/**
 * Supported minors, oldest first. Each has chart data in tests/data/istio/<minor>, derived from
 * its chart sources (tools/chartData), that the tests check every value against: chart values
 * change between minors (1.30 added networkGatewayPorts, 1.31 dnsPolicy/dnsConfig on the gateway).
 * 1.29 reached end of life on 2026-10-15.
 */
export const istioMinors: IstioMinor[] = [
    {
        minor: "1.30",
        minPatch: 4,
        // istio.io, "Announcing Istio 1.30.4" (2026-08-27) and 1.30.3's notes.
        minPatchReason:
            "1.30.4 carries the fixes of ISTIO-SECURITY-2026-006 and of remote-secret rotation (istiod ignoring a changed remote secret until restarted)",
        // istio.io, supported releases: 1.30 supports Kubernetes 1.32 to 1.36.
        kubernetes: { min: 32, max: 36 },
        kubernetesConfirmed: true,
    },
    {
        minor: "1.31",
        minPatch: 0,
        // UNCONFIRMED: no source reachable here gave 1.31's range; assumed one minor above 1.30's
        // (istioctl's precheck IST0142 of the current release names 1.33 as its minimum).
        kubernetes: { min: 33, max: 37 },
        kubernetesConfirmed: false,
    },
];

/**
 * Default Istio version: the newest 1.31 patch confirmed from Istio's release notes
 * ("Announcing Istio 1.31.1", istio.io). 1.31.0 shipped 2026-08-31.
 */
export const defaultIstioVersion = "1.31.1";

/** A remote's API server must resolve the injection webhook through EndpointSlices: 1.33 or newer. */
export const remoteKubernetesMin = 33;

/** Where Istio publishes its charts now (istio.io blog, 2026-07-23 and 2026-08-21). */
export const defaultChartRepository = "https://blob.istio.io/istio-release/charts";
/** The same charts as an OCI registry. */
export const ociChartRepository = "oci://ghcr.io/istio/release/charts";
/**
 * Where Istio's images live for every supported minor. Istio 1.30's own default,
 * registry.istio.io/release, is retired in December 2026, so the program always sets the hub.
 */
export const defaultImageHub = "docker.io/istio";

/** A location Istio has retired, and what replaces it for charts and for images. */
export interface RetiredLocation {
    host: string;
    charts: string;
    images: string;
}

/**
 * Retired in December 2026 (istio.io blog, 2026-07-23; 1.31 upgrade notes): nothing of 1.31 was
 * published there, and Istio turns them off for good after the last shutdown test, 2026-12-08
 * 15:00 UTC to 2026-12-09 15:00 UTC.
 */
export const retiredLocations: RetiredLocation[] = [
    { host: "istio-release.storage.googleapis.com", charts: defaultChartRepository, images: defaultImageHub },
    { host: "gcr.io/istio-release", charts: ociChartRepository, images: defaultImageHub },
    { host: "registry.istio.io/release", charts: ociChartRepository, images: defaultImageHub },
];

/** The retired location a chart repository or image hub points at, if any. */
export function retiredLocationOf(location: string): RetiredLocation | undefined {
    const bare = location.replace(/^(https?|oci):\/\//, "").replace(/\/+$/, "");
    return retiredLocations.find((r) => bare === r.host || bare.startsWith(`${r.host}/`));
}

/** Major, minor, patch and pre-release of an Istio version such as 1.31.1. */
export function parseIstioVersion(version: string): { minor: string; patch: number; preRelease?: string } | undefined {
    const m = /^(\d+\.\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?$/.exec(version);
    return m ? { minor: m[1], patch: Number(m[2]), preRelease: m[3] } : undefined;
}

/** The supported minor of a version, undefined when the minor is not supported. */
export function istioMinorOf(version: string): IstioMinor | undefined {
    const parsed = parseIstioVersion(version);
    return parsed && istioMinors.find((m) => m.minor === parsed.minor);
}

/** Orders two supported minors: negative when a is older. */
export function compareMinors(a: string, b: string): number {
    const [am, an] = a.split(".").map(Number);
    const [bm, bn] = b.split(".").map(Number);
    return am - bm || an - bn;
}

/** Supported versions as a user writes them, for messages: `1.30.4 or later 1.30.x, 1.31.x`. */
export function supportedVersionsText(): string {
    return istioMinors.map((m) => (m.minPatch > 0 ? `${m.minor}.${m.minPatch} or a later ${m.minor}.x` : `${m.minor}.x`)).join(", ");
}

/**
 * Why a version cannot be installed, or undefined when it can: a minor without chart data, a
 * patch below the minor's floor, or a pre-release.
 */
export function istioVersionProblem(version: string): string | undefined {
    const parsed = parseIstioVersion(version);
    if (!parsed) return undefined; // the schema reports the format
    const minor = istioMinorOf(version);
    const supported = `supported: ${supportedVersionsText()}; default ${defaultIstioVersion}`;
    if (!minor) {
        return `${JSON.stringify(version)} is not a supported Istio minor: chart values change between minors and this program carries chart data for ${istioMinors.map((m) => m.minor).join(" and ")} only (${supported})`;
    }
    if (parsed.preRelease !== undefined) {
        return `${JSON.stringify(version)} is a pre-release; install a release (${supported})`;
    }
    if (parsed.patch < minor.minPatch) {
        return `${JSON.stringify(version)} is older than ${minor.minor}.${minor.minPatch}: ${minor.minPatchReason} (${supported})`;
    }
    return undefined;
}
