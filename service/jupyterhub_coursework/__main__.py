"""``python -m jupyterhub_coursework``: the service, as ``coursework-service`` runs it."""

from .launch import service

service()
