"""The Textual step debugger: a thin view over graphviz_nn.debugger."""
