import { topologicalOrder } from "../../tools/graph";

const item = (id: string, ...deps: string[]) => ({ id, deps });
const order = (items: ReturnType<typeof item>[]) =>
    topologicalOrder(
        items,
        (i) => i.id,
        (i) => i.deps,
    ).map((i) => i.id);

describe("the one topological sort of the tools", () => {
    it("puts each item after what it depends on, ready ones in the order listed", () => {
        expect(order([item("x", "z"), item("y"), item("z")])).toEqual(["y", "z", "x"]);
        expect(order([item("a"), item("b"), item("c")])).toEqual(["a", "b", "c"]);
    });

    it("ignores dependencies outside the items and on the item itself", () => {
        expect(order([item("a", "elsewhere", "a"), item("b", "a")])).toEqual(["a", "b"]);
    });

    it("names a cycle it cannot order", () => {
        expect(() => order([item("ok"), item("a", "c"), item("b", "a"), item("c", "b")])).toThrow("dependency cycle: a -> c -> b -> a");
    });
});
