"""The step-through backprop debugger, as plain Python (no user interface).

Views (the text view, the Graphviz renderer, the Textual app) are thin layers over this
contract; the names below stay stable.

```python
from graphviz_nn.debugger import build_trace, Trace, Step, State, Session

trace = build_trace(outputs, backward_from=None, *, seed=None, fill_grads=True, decimals=2)
#   outputs: one node or a list of nodes (Value or Tensor). Runs the engine's one backward walk
#   (graphviz_nn.graph.backward with emit=) from `backward_from` (default: the first output;
#   `seed` is its upstream gradient, default 1) and records its edge events as steps (never a
#   second walk). Every output gets forward steps. fill_grads=False leaves every node's grad as
#   it was (views use it); decimals: digits in the step texts (trace.set_decimals(n) later).
trace.nodes        # NodeInfos in creation order (index i has id f"n{i}"): a read-only sequence,
                   # each made on first read (len, [i], [-1], slices as lists, iteration, == a list)
trace.node(id)     # NodeInfo by id "n7"; trace.id_of(node_object) -> "n7"; trace.find(id_or_label)
trace.edges        # list[Edge(src, dst, index)]  (index = which input of dst)
trace.outputs      # list of output ids; trace.backward_from -> id; trace.seed
trace.steps        # Steps, a read-only sequence like trace.nodes (each made on first read):
                   # n_forward forward steps, then n_backward backward, then updates
                   # forward: creation order. backward: the seed step, then gate by gate in reverse
                   # topological order, each gate's inputs consecutive, a gate only once its
                   # gradient is complete (each neuron's steps stay together).
trace.step_text(step, decimals=None); trace.local_text(step, decimals=None); trace.number(x)
trace.local_gradient(id, index=0)  # d node/d input from the rule table (the watches read it)
trace.engine_node(id)              # the engine object, for code that owns the model (never views)
trace.n_forward    # number of forward steps (== number of nodes); trace.n_backward
trace.state_at(k)  # k in 0..len(steps): what is known after k steps. O(1) to create, O(log n)
                   # per query: no replay from zero, so going back costs what going forward does.
trace.edge_step(src, dst, index)  # index of the backward step along that edge (or None)
trace.pass_bounds(phase)          # (first k, last k) of "forward" | "backward" | "update"

NodeInfo: id, label (user label, else a gate's symbol, else the id), user_label, name (user
          label or id: how nodes are named in text, "w2.grad"), op (op name or None for a leaf),
          local_grads (a scalar gate's local gradients as numbers, else None), requires_grad
          (False for data: no gradient flows into it), is_data,
          symbol ("*", "+1", "1/x", "exp", "sigmoid", "" for a leaf), const, inputs (tuple of ids,
          duplicates kept), group (tuple path), is_leaf, is_tensor, shape (tuple or None),
          formula ("n5 * n6", "n3 *-1", "1/n4", "exp(n2)"; the label for a leaf),
          local_formulas (one str per input; the VJP formula for a tensor node), composite
Step (read-only): index (0-based), number (index + 1: how every view numbers it), phase
          ("forward" | "backward" | "update"), node (id of the gate, or of the parameter for an
          update), text (one readable line, made on first use), local_text (a backward step's
          local gradient with numbers: "σ(x)(1-σ(x)) = 0.73 × 0.27 = 0.20"), group (tuple),
          is_seed (the first backward step: node == input == backward_from, input_index None),
          value (forward: the node's value),
          input_index, input (backward: which input of `node`, and its id),
          upstream, local, contribution, grad_before, grad_after (backward: the input's gradient
          before and after this contribution: partial sums at fan-out), fan ((i, n): the i-th of
          n contributions into the input),
          old_value, new_value, grad, lr (update).
          For tensor nodes upstream/contribution are arrays and local is None (the node's
          local_formulas hold the VJP formula, e.g. "dL/dW = Xᵀ · dL/dY").
State:    k, step (steps[k-1] or None), phase ("start"|"forward"|"backward"|"update"|"end"),
          value(id) -> number/array or None (not yet known), grad(id) -> number/array or None,
          is_partial(id) (some but not all contributions in), current (id of the step's node),
          current_edge ((src, dst, index) of the last backward step, else None).
          The gradient of backward_from (the seed, 1.0) is known once k > n_forward.

session = Session(trace)            # or Session.from_outputs(outputs)
session.k; session.state; session.trace (the trace being viewed; a sub-trace after step_into)
session.depth (0 at the top; 1 inside a composite gate's expansion); session.root_trace
session.inside  # None at the top, else "n9 (sigmoid), backward step 12": what the header says
session.bounds  # (first k, last k) the cursor can reach: the trace, or the expansion's pass
session.message # one sentence after a move that has something to say (why it did not move,
                # where it went); None otherwise. Nothing is printed.
session.next(); prev(); goto(k); home(); end()  # inside an expansion: never leave it
session.run_to_end() (end of the current pass); restart() (top of the whole trace)
session.step_over()  # the next unit at the current level (a gate, a neuron, a layer)
session.step_into()  # open the step shown (state.step): a composite gate's expansion in either
                     # pass, or at neuron/layer level its neuron/layer, one level down at its first
                     # step; nothing to enter: message, no move
session.step_out()   # leave an expansion (back to the k you came from), else finish the neuron/
                     # layer of the step shown and go up a level; no enclosing group: message, no move
session.continue_()  # -> Break(reason, node, sentence, k) or None (all four return that)
session.level  # "gate" | "neuron" | "layer"; session.levels: only those the graph has;
session.set_level(...) (a level the graph lacks is a BreakpointError); session.cycle_level()
session.add_breakpoint(node_id_or_label); add_group_breakpoint(path); remove_breakpoint(...);
session.toggle_breakpoint(...)
session.add_watch(kind, threshold=None)  # "not_finite","vanishing","exploding","saturated","dead_relu"

graphviz_nn.debugger.levels.collapse(trace, level) -> CollapsedView (boxes for groups, edges
          carrying aggregated gradients) for the renderer and the app at neuron/layer level
graphviz_nn.debugger.diagnostics.diagnose(trace) -> list[Flag(node, kind, sentence)]
graphviz_nn.debugger.diagnostics.layer_report(trace) -> per-layer dead-ReLU fraction, grad norm
graphviz_nn.debugger.expand.expand(trace, node_id) -> the sub-trace of a composite gate
graphviz_nn.explain(outputs) -> str (the text view table)
graphviz_nn.SGD(params, lr, momentum=0.0): step() / zero_grad(); `last_updates` feeds update steps
graphviz_nn.debugger.training.Trainer(forward_fn, params, optimizer): forward_fn() returns the
          loss or (loss, outputs). trace_iteration() traces one iteration (forward → backward →
          update steps) and opens trainer.session on it; next() walks step by step into the next
          iteration; history: list[Iteration(index, loss, outputs, param_norm, grad_norm)];
          goto_iteration(N) rewinds or runs ahead; run(N) is the fast path with no steps.
```
"""
from .breakpoints import WATCH_KINDS, Break, BreakpointError
from .diagnostics import Flag, diagnose, layer_report
from .expand import expand
from .explain import explain
from .levels import LEVELS, collapse
from .session import Session
from .trace import Edge, NodeInfo, State, Step, Trace, TraceError, build_trace
from .training import Trainer

__all__ = ["build_trace", "Trace", "Step", "State", "NodeInfo", "Edge", "TraceError",
           "Session", "Break", "BreakpointError", "WATCH_KINDS", "LEVELS", "expand",
           "collapse", "diagnose", "layer_report", "Flag", "explain", "Trainer"]
