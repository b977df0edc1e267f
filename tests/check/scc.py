"""tests/check/scc.py - strongly connected components of a file graph, for
the checks that look for files calling or including each other in a circle
(wasi_cycles.py, call_circles.py).
"""
import sys


def circles(graph):
    """Strongly connected components of more than one node (Tarjan), each
    sorted, in the order found. graph maps a node to the nodes it links to;
    links to nodes outside graph are ignored."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in graph:
                continue
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                found.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found
