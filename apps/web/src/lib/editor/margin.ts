import { ViewPlugin, type EditorView, type ViewUpdate } from '@codemirror/view';
import { codingsField, type ViewCoding } from './codings.ts';
import { layoutLabels } from '../view/lanes.ts';
import { darken, initials, textOn } from '../view/colors.ts';

export interface MarginOptions {
  onOpen: (codingIds: string[], anchor: DOMRect) => void;
  onHover: (codingId: string | null) => void;
}

const LANE_WIDTH = 8;
const MAX_LANES = 8;
const LABEL_HEIGHT = 20;

interface Placed {
  c: ViewCoding;
  top: number;
  bottom: number;
  /** Whether the coding continues above/below the rendered range. */
  clippedTop: boolean;
  clippedBottom: boolean;
}

interface Measured {
  placed: Placed[];
  left: number;
  width: number;
  height: number;
  lanes: number;
}

/**
 * The coding margin: one coloured bar per coding in lanes next to the text, with
 * the code's abbreviation or name and the coder's initials, like the coding
 * stripes of QDA tools. Click a bar or label to open the coding; hover to light
 * up its words. Only codings in the rendered range are drawn.
 */
const lastStyle = new WeakMap<HTMLElement, string>();
function setStyle(el: HTMLElement, css: string): void {
  if (lastStyle.get(el) === css) return;
  lastStyle.set(el, css);
  el.style.cssText = css;
}

export function codingMargin(opts: MarginOptions) {
  return ViewPlugin.fromClass(
    class {
      readonly dom: HTMLElement;
      readonly bars = new Map<string, { bar: HTMLElement; label: HTMLElement; tick: HTMLElement }>();
      measuring = false;

      constructor(readonly view: EditorView) {
        this.dom = document.createElement('div');
        this.dom.className = 'cm-coding-margin';
        this.dom.setAttribute('aria-label', 'Coding stripes');
        view.scrollDOM.appendChild(this.dom);
        this.dom.addEventListener('click', this.onClick);
        this.dom.addEventListener('mouseover', this.onOver);
        this.dom.addEventListener('mouseleave', this.onLeave);
        view.scrollDOM.addEventListener('scroll', this.onScroll, { passive: true });
        this.schedule();
      }

      scrollTimer = 0;
      onScroll = (): void => {
        if (this.scrollTimer) return;
        this.scrollTimer = window.setTimeout(() => {
          this.scrollTimer = 0;
          this.schedule();
        }, 60);
      };

      update(u: ViewUpdate): void {
        if (
          u.docChanged || u.viewportChanged || u.geometryChanged || u.heightChanged ||
          u.startState.field(codingsField) !== u.state.field(codingsField)
        ) this.schedule();
      }

      schedule(): void {
        this.view.requestMeasure({
          key: this,
          read: (view) => this.measure(view),
          write: (m) => this.draw(m),
        });
      }

      measure(view: EditorView): Measured {
        const { list } = view.state.field(codingsField);
        const { from: vFrom, to: vTo } = view.viewport;
        const scrollRect = view.scrollDOM.getBoundingClientRect();
        const contentRect = view.contentDOM.getBoundingClientRect();
        const originTop = scrollRect.top - view.scrollDOM.scrollTop;
        const docTop = view.documentTop;
        // exact (visual line) positions near the screen, paragraph positions further away
        const bandTop = scrollRect.top - scrollRect.height - docTop;
        const bandBottom = scrollRect.bottom + scrollRect.height - docTop;
        const placed: Placed[] = [];
        let lanes = 0;
        for (const c of list) {
          if (c.end <= vFrom || c.start >= vTo) continue;
          const s = Math.max(c.start, vFrom);
          const e = Math.min(c.end, vTo);
          const sb = view.lineBlockAt(s);
          const eb = view.lineBlockAt(e);
          if (eb.bottom < bandTop || sb.top > bandBottom) {
            placed.push({ c, top: sb.top + docTop - originTop, bottom: eb.bottom + docTop - originTop, clippedTop: c.start < vFrom, clippedBottom: c.end > vTo });
          } else {
            const sc = view.coordsAtPos(s, 1);
            const ec = view.coordsAtPos(e, -1);
            const top = sc ? sc.top - originTop : sb.top + docTop - originTop;
            const bottom = ec ? ec.bottom - originTop : eb.bottom + docTop - originTop;
            placed.push({ c, top, bottom: Math.max(bottom, top + 6), clippedTop: c.start < vFrom, clippedBottom: c.end > vTo });
          }
          lanes = Math.max(lanes, c.lane + 1);
        }
        return {
          placed,
          left: contentRect.right - scrollRect.left + view.scrollDOM.scrollLeft + 10,
          width: Math.max(120, scrollRect.right - contentRect.right - 14),
          height: view.contentHeight,
          lanes: Math.min(lanes, MAX_LANES),
        };
      }

      draw(m: Measured): void {
        setStyle(this.dom, `left:${m.left}px;width:${m.width}px;height:${m.height}px;`);
        const laneArea = Math.max(1, m.lanes) * LANE_WIDTH + 6;
        const labelTops = layoutLabels(
          m.placed.map((p) => ({ id: p.c.id, top: p.top, height: LABEL_HEIGHT })),
          2,
        );
        const seen = new Set<string>();
        for (const p of m.placed) {
          const c = p.c;
          seen.add(c.id);
          let els = this.bars.get(c.id);
          if (!els) {
            const bar = document.createElement('div');
            bar.className = 'cm-stripe';
            bar.dataset.coding = c.id;
            const tick = document.createElement('div');
            tick.className = 'cm-stripe-tick';
            tick.dataset.coding = c.id;
            const label = document.createElement('button');
            label.type = 'button';
            label.className = 'cm-stripe-label';
            label.dataset.coding = c.id;
            label.tabIndex = -1;
            this.dom.append(bar, tick, label);
            els = { bar, label, tick };
            this.bars.set(c.id, els);
          }
          const lane = Math.min(c.lane, MAX_LANES - 1);
          const x = lane * LANE_WIDTH;
          const { bar, label, tick } = els;
          // touch the DOM only where something moved (style recalculation is the cost here)
          setStyle(bar, `top:${p.top}px;height:${p.bottom - p.top}px;left:${x}px;background:${c.color};`);
          const clip = `${p.clippedTop ? 'cm-stripe clipped-top' : 'cm-stripe'}${p.clippedBottom ? ' clipped-bottom' : ''}`;
          if (bar.className !== clip) bar.className = clip;
          const ltop = labelTops.get(c.id) ?? p.top;
          setStyle(tick, `top:${p.top}px;left:${x + 4}px;width:${laneArea - x - 2}px;height:${Math.max(1, ltop - p.top + LABEL_HEIGHT / 2)}px;border-color:${c.color};`);
          setStyle(label, `top:${ltop}px;left:${laneArea}px;max-width:${m.width - laneArea - 2}px;--code:${c.color};--code-text:${darken(c.color, 0.45)};`);
          const text = `${c.short}`;
          const who = initials(c.coderName);
          if (label.dataset.text !== text || label.dataset.who !== who || label.dataset.whoColor !== c.coderColor) {
            label.dataset.text = text;
            label.dataset.who = who;
            label.dataset.whoColor = c.coderColor;
            label.replaceChildren();
            const dot = document.createElement('span');
            dot.className = 'cm-stripe-dot';
            const name = document.createElement('span');
            name.className = 'cm-stripe-name';
            name.textContent = text;
            const coder = document.createElement('span');
            coder.className = 'cm-stripe-coder';
            coder.textContent = who;
            coder.style.background = c.coderColor;
            coder.style.color = textOn(c.coderColor);
            label.append(dot, name, coder);
          }
          const title = `${c.path ? `${c.path} › ` : ''}${c.name} — coded by ${c.coderName}${c.memo ? `\nMemo: ${c.memo}` : ''}`;
          if (label.title !== title) {
            // the accessible name is what the label shows (code and coder); the title adds the rest
            label.title = title;
          }
        }
        for (const [id, els] of this.bars) {
          if (!seen.has(id)) {
            els.bar.remove();
            els.label.remove();
            els.tick.remove();
            this.bars.delete(id);
          }
        }
      }

      onClick = (e: MouseEvent): void => {
        const el = (e.target as HTMLElement).closest<HTMLElement>('[data-coding]');
        if (!el?.dataset.coding) return;
        e.preventDefault();
        opts.onOpen([el.dataset.coding], el.getBoundingClientRect());
      };

      onOver = (e: MouseEvent): void => {
        const el = (e.target as HTMLElement).closest<HTMLElement>('[data-coding]');
        opts.onHover(el?.dataset.coding ?? null);
      };

      onLeave = (): void => opts.onHover(null);

      destroy(): void {
        clearTimeout(this.scrollTimer);
        this.view.scrollDOM.removeEventListener('scroll', this.onScroll);
        this.dom.remove();
      }
    },
  );
}
