"""`make eval`: quality figures measured on ../shared/eval (real pages and labels nobody on the project wrote).

The data is read at run time from ``../shared/eval`` (or ``--data DIR``) and never copied into the project; when
it is absent every part says so and is skipped.
"""
