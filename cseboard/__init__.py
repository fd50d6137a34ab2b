"""CSE strategic dashboard: the package, in layers that import only downwards.

tools > display > questions > intake > store > methods > base (config, contract, periods, filters at this level).
The shell commands `python -m cseboard.load`, `.synth`, `.bench` are thin entry points into `tools/`.
"""
