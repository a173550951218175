/**
 * Istio control-plane revisions: names as Istio's charts derive them (pure helpers, no resources).
 *
 * A revision `1-31` is istiod Release `istiod-1-31` (chart value `revision: 1-31`), Service
 * `istiod-1-31` and injection webhook `istio-sidecar-injector-1-31`. The reserved name `default`
 * is the unrevisioned control plane (chart revision ""): Release and Service `istiod`, the install
 * every stack had before revisions, kept under its old names so that nothing is replaced.
 */

/** One control-plane revision: a DNS label and the Istio version it runs. */
export interface IstioRevision {
    name: string;
    version: string;
}

/** The revisions of a mesh and where its `default` tag points. */
export interface MeshRevisions {
    /** Every revision installed in every cluster of this stack. */
    revisions: IstioRevision[];
    /** The revision the `default` tag (and so `istio-injection=enabled`, the gateways, the validator) points at. */
    defaultRevision: string;
}

/** Name of the unrevisioned control plane among revisions (the charts' revision ""). */
export const unrevisioned = "default";

/** The istiod chart's `revision` value of a revision. */
export function chartRevision(revision: string): string {
    return revision === unrevisioned ? "" : revision;
}

/** Name of the istiod Service (and Helm release) of a revision, as the charts name it. */
export function istiodServiceName(revision: string): string {
    return revision === unrevisioned ? "istiod" : `istiod-${revision}`;
}

/** Pulumi resource name of a cluster's istiod Release of a revision (the unrevisioned keeps its old one). */
export function istiodResourceName(cluster: string, revision: string): string {
    return revision === unrevisioned ? `${cluster}-istiod` : `${cluster}-istiod-${revision}`;
}

/** Orders two Istio versions (x.y.z): negative when a is older. */
export function compareVersions(a: string, b: string): number {
    const pa = a.split(/[.-]/).map(Number);
    const pb = b.split(/[.-]/).map(Number);
    for (let i = 0; i < 3; i++) {
        if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pa[i] ?? 0) - (pb[i] ?? 0);
    }
    return 0;
}

/** The revision with the newest Istio version (the first of them on a tie): `base` (the CRDs) runs its version. */
export function newestRevision(revisions: IstioRevision[]): IstioRevision {
    return revisions.reduce((newest, r) => (compareVersions(r.version, newest.version) > 0 ? r : newest));
}

/** Pod annotation that names the revision injecting a gateway: changing it restarts the gateway's pods. */
export const revisionAnnotation = "istio-multicloud.io/revision";
