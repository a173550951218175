import type { MeshRole } from "../clusters/cluster";

/** The part of a cluster's config that decides the mesh's shape. */
export interface TopologyNode {
    name: string;
    role: MeshRole;
    /** For a remote: its primary. */
    primary?: string;
}

/** Remote clusters controlled by a primary. */
export function remotesOf(primary: string, nodes: TopologyNode[]): string[] {
    return nodes.filter((n) => n.role === "remote" && n.primary === primary).map((n) => n.name);
}

/**
 * Which clusters' remote secrets each primary holds: every other cluster of the mesh
 * (other primaries to see their endpoints, remotes to see and, for its own, to configure them).
 */
export function remoteSecretPlacement(nodes: TopologyNode[]): Map<string, string[]> {
    const placement = new Map<string, string[]>();
    for (const primary of nodes.filter((n) => n.role === "primary")) {
        placement.set(
            primary.name,
            nodes.filter((n) => n.name !== primary.name).map((n) => n.name),
        );
    }
    return placement;
}

/** Primaries first, so that every remote finds its primary's gateway already declared. */
export function primariesFirst<T extends TopologyNode>(nodes: T[]): T[] {
    return [...nodes.filter((n) => n.role === "primary"), ...nodes.filter((n) => n.role === "remote")];
}
