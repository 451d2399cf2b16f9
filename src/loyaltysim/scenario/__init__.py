"""The input layer: scenario files, their schema, --set and variants, problems with lines.

It imports no engine code: a scenario is read, checked and resolved here, then handed on.
"""
