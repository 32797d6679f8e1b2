"""The Hub config (``configure(c)``) adds to an admin's config and keeps what the admin set."""

import os
import unittest
from unittest import mock

from traitlets.config import Config

from jupyterhub_coursework import configure


def configured(admin: Config, **env: str) -> Config:
    with mock.patch.dict(os.environ, env):
        configure(admin)
    return admin


class ServersFindTheService(unittest.TestCase):
    def test_servers_get_the_services_address(self) -> None:
        c = configured(Config(), COURSEWORK_SERVICE_PORT="10123")
        self.assertEqual(c.Spawner.environment["COURSEWORK_URL"], "http://127.0.0.1:10123/services/coursework/")

    def test_under_the_hubs_base_url_and_other_hosts(self) -> None:
        c = Config()
        c.JupyterHub.base_url = "/jupyter"
        c = configured(c, COURSEWORK_SERVICE_HOST="0.0.0.0", COURSEWORK_SERVICE_PORT="10101")
        self.assertEqual(c.Spawner.environment["COURSEWORK_URL"], "http://127.0.0.1:10101/jupyter/services/coursework/")
        c = configured(Config(), COURSEWORK_SERVICE_URL="http://coursework:10101/services/coursework/")
        self.assertEqual(c.Spawner.environment["COURSEWORK_URL"], "http://coursework:10101/services/coursework/")

    def test_the_admins_environment_is_kept_and_wins(self) -> None:
        c = Config()
        c.Spawner.environment = {"LANG": "C.UTF-8", "COURSEWORK_URL": "https://hub.example/services/coursework/"}
        c = configured(c)
        self.assertEqual(
            c.Spawner.environment, {"LANG": "C.UTF-8", "COURSEWORK_URL": "https://hub.example/services/coursework/"}
        )


class ServerTokens(unittest.TestCase):
    def test_the_admins_scopes_are_kept(self) -> None:
        c = Config()
        c.Spawner.server_token_scopes = ["users:activity!user", "read:users:name"]
        c = configured(c)
        self.assertEqual(c.Spawner.server_token_scopes[:2], ["users:activity!user", "read:users:name"])
        self.assertIn("custom:coursework:instruct", c.Spawner.server_token_scopes)

    def test_a_callable_is_wrapped(self) -> None:
        c = Config()
        c.Spawner.server_token_scopes = lambda spawner: ["access:servers!server"]
        c = configured(c)
        self.assertEqual(c.Spawner.server_token_scopes(None)[0], "access:servers!server")
        self.assertIn("access:services!service=coursework", c.Spawner.server_token_scopes(None))


if __name__ == "__main__":
    unittest.main()


class ServiceRunElsewhere(unittest.TestCase):
    def test_a_managed_service_by_default(self) -> None:
        service = next(s for s in configured(Config()).JupyterHub.services if s["name"] == "coursework")
        self.assertIn("command", service)
        self.assertNotIn("api_token", service)

    def test_an_external_service_with_its_token_and_the_load_balancers_address(self) -> None:
        c = configured(Config(), COURSEWORK_SERVICE_API_TOKEN="t" * 32, COURSEWORK_SERVICE_HOST="coursework", COURSEWORK_SERVICE_PORT="8080")
        service = next(s for s in c.JupyterHub.services if s["name"] == "coursework")
        self.assertEqual(service["url"], "http://coursework:8080")
        self.assertEqual(service["api_token"], "t" * 32)
        self.assertNotIn("command", service)
        self.assertNotIn("environment", service)
        self.assertEqual(service["oauth_client_allowed_scopes"], ["custom:coursework:instruct", "custom:coursework:admin"])
