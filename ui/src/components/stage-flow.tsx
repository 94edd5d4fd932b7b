/**
 * Stages drawn as a flow: boxes laid out by depth (a stage sits one step after its parent) with SVG
 * arrows between them. Left-to-right on wide screens, top-to-bottom on narrow ones.
 */
import type { ComponentChildren } from "preact";
import { useEffect, useState } from "preact/hooks";

export interface FlowNode {
  id: string;
  parentId: string | null;
}

export interface Placed {
  id: string;
  parentId: string | null;
  depth: number;
  lane: number;
}

/** Depth = steps from a root; lane = position among the nodes of the same depth, in input order. */
export function layoutFlow(nodes: readonly FlowNode[]): Placed[] {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const depthOf = (node: FlowNode, seen = new Set<string>()): number => {
    const parent = node.parentId ? byId.get(node.parentId) : undefined;
    if (!parent || seen.has(node.id)) return 0;
    seen.add(node.id);
    return depthOf(parent, seen) + 1;
  };
  const lanes = new Map<number, number>();
  return nodes.map((node) => {
    const depth = depthOf(node);
    const lane = lanes.get(depth) ?? 0;
    lanes.set(depth, lane + 1);
    return { id: node.id, parentId: node.parentId && byId.has(node.parentId) ? node.parentId : null, depth, lane };
  });
}

const BOX = { w: 184, h: 76 };
// preact 11 no longer appends "px" to numbers in style objects
const px = (n: number) => `${n}px`;
const GAP = { main: 48, cross: 16 };

interface FlowProps<N extends FlowNode> {
  nodes: readonly N[];
  label: string;
  renderNode: (node: N) => ComponentChildren;
}

function Arrows({ placed, vertical }: { placed: Placed[]; vertical: boolean }) {
  const at = (p: Placed) => {
    const main = p.depth * (vertical ? BOX.h + GAP.main : BOX.w + GAP.main);
    const cross = p.lane * (vertical ? BOX.w + GAP.cross : BOX.h + GAP.cross);
    return vertical ? { x: cross, y: main } : { x: main, y: cross };
  };
  const byId = new Map(placed.map((p) => [p.id, p]));
  return (
    <>
      {placed.map((p) => {
        const parent = p.parentId ? byId.get(p.parentId) : undefined;
        if (!parent) return null;
        const from = at(parent);
        const to = at(p);
        const [x1, y1, x2, y2] = vertical
          ? [from.x + BOX.w / 2, from.y + BOX.h, to.x + BOX.w / 2, to.y - 2]
          : [from.x + BOX.w, from.y + BOX.h / 2, to.x - 2, to.y + BOX.h / 2];
        const d = vertical
          ? `M${x1},${y1} C${x1},${(y1 + y2) / 2} ${x2},${(y1 + y2) / 2} ${x2},${y2}`
          : `M${x1},${y1} C${(x1 + x2) / 2},${y1} ${(x1 + x2) / 2},${y2} ${x2},${y2}`;
        return <path key={p.id} d={d} class="flow__arrow" marker-end="url(#flow-arrowhead)" />;
      })}
    </>
  );
}

function FlowLayout<N extends FlowNode>({
  nodes,
  placed,
  vertical,
  renderNode,
}: {
  nodes: readonly N[];
  placed: Placed[];
  vertical: boolean;
  renderNode: (node: N) => ComponentChildren;
}) {
  const depth = Math.max(0, ...placed.map((p) => p.depth)) + 1;
  const lanes = Math.max(0, ...placed.map((p) => p.lane)) + 1;
  const mainSize = (n: number, box: number) => n * box + (n - 1) * GAP.main;
  const crossSize = (n: number, box: number) => n * box + (n - 1) * GAP.cross;
  const width = vertical ? crossSize(lanes, BOX.w) : mainSize(depth, BOX.w);
  const height = vertical ? mainSize(depth, BOX.h) : crossSize(lanes, BOX.h);
  return (
    <div
      class={`flow ${vertical ? "flow--vertical" : "flow--horizontal"}`}
      style={{ width: px(width), height: px(height) }}
    >
      <svg class="flow__svg" width={width} height={height} aria-hidden="true">
        <defs>
          <marker
            id="flow-arrowhead"
            viewBox="0 0 10 10"
            refX="9"
            refY="5"
            markerWidth="8"
            markerHeight="8"
            orient="auto"
          >
            <path d="M0,0 L10,5 L0,10 z" class="flow__head" />
          </marker>
        </defs>
        <Arrows placed={placed} vertical={vertical} />
      </svg>
      <ol class="flow__nodes">
        {placed.map((p, i) => {
          const main = p.depth * ((vertical ? BOX.h : BOX.w) + GAP.main);
          const cross = p.lane * ((vertical ? BOX.w : BOX.h) + GAP.cross);
          const style = vertical
            ? { left: px(cross), top: px(main), width: px(BOX.w), height: px(BOX.h) }
            : { left: px(main), top: px(cross), width: px(BOX.w), height: px(BOX.h) };
          return (
            <li key={p.id} class="flow__node" style={style}>
              {renderNode(nodes[i])}
            </li>
          );
        })}
      </ol>
    </div>
  );
}

const NARROW = "(max-width: 640px)";

/** Whether the viewport is phone-narrow, following resizes. */
function useNarrow(): boolean {
  const [narrow, setNarrow] = useState(() => globalThis.matchMedia?.(NARROW).matches ?? false);
  useEffect(() => {
    const query = globalThis.matchMedia?.(NARROW);
    if (!query) return;
    const update = () => setNarrow(query.matches);
    query.addEventListener?.("change", update);
    return () => query.removeEventListener?.("change", update);
  }, []);
  return narrow;
}

export function StageFlow<N extends FlowNode>({ nodes, label, renderNode }: FlowProps<N>) {
  const placed = layoutFlow(nodes);
  const vertical = useNarrow();
  return (
    <figure class="flow-figure" aria-label={label}>
      <div class="flow-scroll">
        <FlowLayout nodes={nodes} placed={placed} vertical={vertical} renderNode={renderNode} />
      </div>
    </figure>
  );
}
