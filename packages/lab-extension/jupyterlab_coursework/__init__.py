"""Coursework in JupyterLab: the prebuilt extension (the instructor panel, the snapshots browser and the students'
Feedback section). Installing this package is all a users' environment needs; the extension talks to the
Coursework service of the Hub (the ``jupyterhub-coursework`` package)."""


def _jupyter_labextension_paths():
    # For `jupyter labextension develop` in a checkout; a wheel installs the extension as shared data.
    return [{"src": "../labextension", "dest": "@coursework/lab-extension"}]
