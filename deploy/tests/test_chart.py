"""What deploy/helm/coursework renders, and that deploy/z2jh-values.yaml registers it with the Hub as the repository's
own Hub config (jupyterhub_config.d/coursework.py) would.

Renders with the Helm binary that HELM names (else `helm` on PATH); needs PyYAML. Run by scripts/check-deploy.sh, or:
    HELM=.cache/bin/helm .cache/deploy-venv/bin/python deploy/tests/test_chart.py
"""

import json
import os
import re
import shutil
import subprocess
import unittest
from pathlib import Path
from unittest import mock

import yaml

REPO = Path(__file__).resolve().parents[2]
CHART = REPO / "deploy" / "helm" / "coursework"
EXAMPLE = REPO / "deploy" / "values-replicas-example.yaml"
Z2JH_VALUES = REPO / "deploy" / "z2jh-values.yaml"
HUB_CONFIG = REPO / "jupyterhub_config.d" / "coursework.py"
CONFIG_TS = REPO / "service" / "src" / "config.ts"
RELEASE = "coursework"

HELM = os.environ.get("HELM") or shutil.which("helm")
if not HELM:
    raise SystemExit("test_chart.py needs Helm: set HELM or put helm on PATH (scripts/check-deploy.sh builds it)")
VALUES = yaml.safe_load((CHART / "values.yaml").read_text())

# What JupyterHub gives a managed service; the chart must give each of them to the pods.
HUB_ENV = [
    "JUPYTERHUB_API_URL",
    "JUPYTERHUB_API_TOKEN",
    "JUPYTERHUB_SERVICE_NAME",
    "JUPYTERHUB_SERVICE_PREFIX",
    "JUPYTERHUB_SERVICE_URL",
    "JUPYTERHUB_CLIENT_ID",
    "JUPYTERHUB_OAUTH_CALLBACK_URL",
    "JUPYTERHUB_BASE_URL",
]
SECRET_ENV = {
    "JUPYTERHUB_API_TOKEN": ("hub", "apiToken"),
    "COURSEWORK_DATABASE_URL": ("database",),
    "COURSEWORK_COOKIE_SECRET": ("cookieSecret",),
}


def service_settings():
    """The service's settings as config.ts declares them: name -> {fromHub, required}."""
    source = CONFIG_TS.read_text()
    body = source[source.index("export const SETTINGS = {") : source.index("} satisfies Record<string, Setting>")]
    settings = {}
    for entry in re.split(r"\n  \w+: \{", body)[1:]:
        name = re.search(r"name: '([A-Z0-9_]+)'", entry).group(1)
        settings[name] = {"fromHub": "fromHub: true" in entry, "required": re.search(r"\bdefault:", entry) is None}
    return settings


_renders = {}


def helm_template(*args, release=RELEASE):
    """(exit status, stdout, stderr) of `helm template` with these arguments, once per distinct call."""
    key = (release, *args)
    if key not in _renders:
        run = subprocess.run(
            [HELM, "template", release, str(CHART), "--namespace", "jupyterhub", *args],
            capture_output=True,
            text=True,
        )
        _renders[key] = (run.returncode, run.stdout, run.stderr)
    return _renders[key]


def render(*args, release=RELEASE):
    """The manifests, by kind (a list each)."""
    code, out, err = helm_template(*args, release=release)
    if code != 0:
        raise AssertionError(f"helm template {' '.join(args)} failed: {err}")
    kinds = {}
    for doc in yaml.safe_load_all(out):
        if doc:
            kinds.setdefault(doc["kind"], []).append(doc)
    return kinds


def one(kinds, kind):
    docs = kinds.get(kind, [])
    if len(docs) != 1:
        raise AssertionError(f"expected one {kind}, got {len(docs)}")
    return docs[0]


def container(kinds):
    (c,) = one(kinds, "Deployment")["spec"]["template"]["spec"]["containers"]
    return c


def env_of(kinds):
    return {e["name"]: e for e in container(kinds)["env"]}


def env_values(kinds):
    return {name: e["value"] for name, e in env_of(kinds).items() if "value" in e}


def merged(base, over):
    """``over`` on top of ``base``, maps merged key by key as Helm merges values files."""
    out = dict(base)
    for key, value in over.items():
        out[key] = merged(base[key], value) if isinstance(value, dict) and isinstance(base.get(key), dict) else value
    return out


def selects(selector, labels):
    return all(labels.get(k) == v for k, v in selector.items())


VARIANTS = {"default values": (), "the replicas example": ("-f", str(EXAMPLE))}


class ChartTest(unittest.TestCase):
    def test_app_version_follows_the_service_package(self):
        chart = yaml.safe_load((CHART / "Chart.yaml").read_text())
        package = json.loads((REPO / "service" / "package.json").read_text())
        self.assertEqual(chart["apiVersion"], "v2")
        self.assertEqual(chart["name"], "coursework")
        self.assertEqual(chart["appVersion"], package["version"])
        self.assertTrue(container(render())["image"].endswith(":" + package["version"]))

    def test_replicas_follow_the_value(self):
        self.assertEqual(VALUES["replicas"], 2)
        self.assertEqual(one(render(), "Deployment")["spec"]["replicas"], 2)
        self.assertEqual(one(render("-f", str(EXAMPLE)), "Deployment")["spec"]["replicas"], 3)
        self.assertEqual(one(render("--set", "replicas=5"), "Deployment")["spec"]["replicas"], 5)

    def test_every_setting_the_service_requires_is_given(self):
        settings = service_settings()
        required = {name for name, s in settings.items() if s["required"]}
        self.assertIn("JUPYTERHUB_API_URL", required, "config.ts no longer parses as expected")
        for variant, args in VARIANTS.items():
            with self.subTest(variant):
                names = set(env_of(render(*args)))
                self.assertLessEqual(required, names)
                self.assertLessEqual(set(HUB_ENV), names)
                # Nothing misspelt: every Hub or Coursework variable the chart sets is one the service reads.
                unknown = {n for n in names if n.startswith(("JUPYTERHUB_", "COURSEWORK_")) and n not in settings}
                self.assertEqual(unknown, set())

    def test_hub_variables_have_the_shapes_the_service_accepts(self):
        kinds = render()
        env = env_values(kinds)
        prefix = "/services/coursework/"
        self.assertEqual(env["JUPYTERHUB_SERVICE_NAME"], "coursework")
        self.assertEqual(env["JUPYTERHUB_SERVICE_PREFIX"], prefix)
        self.assertEqual(env["JUPYTERHUB_OAUTH_CALLBACK_URL"], prefix + "oauth_callback")
        self.assertEqual(env["JUPYTERHUB_CLIENT_ID"], "service-coursework")
        self.assertEqual(env["JUPYTERHUB_BASE_URL"], "/")
        self.assertEqual(env["JUPYTERHUB_API_URL"], "http://hub:8081/hub/api")
        # Plain http on all the pod's addresses, on the port the container declares and the Service targets.
        self.assertEqual(env["JUPYTERHUB_SERVICE_URL"], "http://0.0.0.0:8080")
        (port,) = container(kinds)["ports"]
        self.assertEqual((port["name"], port["containerPort"]), ("http", 8080))
        (service_port,) = one(kinds, "Service")["spec"]["ports"]
        self.assertEqual((service_port["port"], service_port["targetPort"]), (8080, "http"))

    def test_a_base_url_moves_every_path(self):
        env = env_values(render("--set", "hub.baseUrl=/jupyter/"))
        self.assertEqual(env["JUPYTERHUB_API_URL"], "http://hub:8081/jupyter/hub/api")
        self.assertEqual(env["JUPYTERHUB_SERVICE_PREFIX"], "/jupyter/services/coursework/")
        self.assertEqual(env["JUPYTERHUB_OAUTH_CALLBACK_URL"], "/jupyter/services/coursework/oauth_callback")
        self.assertEqual(env["JUPYTERHUB_BASE_URL"], "/jupyter/")

    def test_the_service_accepts_the_rendered_environment(self):
        """The service's own config loader, on what the pods get (secrets stood in for)."""
        node = shutil.which("node")
        config_js = REPO / "service" / "lib" / "config.js"
        if not node or not config_js.is_file():
            self.fail("needs node on PATH and the built service (service/lib): run npm run build first")
        for variant, args in VARIANTS.items():
            with self.subTest(variant):
                env = env_values(render(*args))
                env.update(
                    JUPYTERHUB_API_TOKEN="t" * 32,
                    COURSEWORK_DATABASE_URL="postgres://coursework:secret@postgres:5432/coursework",
                    COURSEWORK_COOKIE_SECRET="c" * 64,
                )
                script = (
                    "const c = require(process.argv[1]).loadConfig(JSON.parse(process.argv[2]));"
                    "console.log(JSON.stringify({listen: c.hub.listen, dataDir: c.dataDir}))"
                )
                run = subprocess.run(
                    [node, "-e", script, str(config_js), json.dumps(env)], capture_output=True, text=True
                )
                self.assertEqual(run.returncode, 0, run.stderr)
                loaded = json.loads(run.stdout)
                self.assertEqual(loaded["listen"], {"host": "0.0.0.0", "port": 8080})
                self.assertEqual(loaded["dataDir"], env["COURSEWORK_DATA_DIR"])

    def test_secrets_come_from_secret_key_refs_only(self):
        for variant, args in VARIANTS.items():
            with self.subTest(variant):
                values = merged(VALUES, yaml.safe_load(EXAMPLE.read_text()) if args else {})
                kinds = render(*args)
                env = env_of(kinds)
                for name, path in SECRET_ENV.items():
                    configured = values
                    for part in path:
                        configured = configured[part]
                    self.assertNotIn("value", env[name], name)
                    ref = env[name]["valueFrom"]["secretKeyRef"]
                    self.assertEqual((ref["name"], ref["key"]), (configured["existingSecret"], configured["key"]), name)
                # The chart holds no secret of its own.
                self.assertNotIn("Secret", kinds)
                self.assertNotIn("ConfigMap", kinds)

    def test_the_memory_settings_are_the_hub_configs(self):
        # The Hub config gives its managed service these; pods must run with the same, whichever changes.
        hub_config = HUB_CONFIG.read_text()
        env = env_values(render())
        for name in ("MALLOC_MMAP_THRESHOLD_", "MALLOC_ARENA_MAX"):
            with self.subTest(name):
                default = re.search(rf'_env\.get\("{name}", "([^"]+)"\)', hub_config)
                self.assertIsNotNone(default, f"{name} has no default in {HUB_CONFIG.name}")
                self.assertEqual(env[name], default.group(1))

    def test_the_api_token_defaults_to_the_one_z2jh_generates(self):
        ref = env_of(render())["JUPYTERHUB_API_TOKEN"]["valueFrom"]["secretKeyRef"]
        self.assertEqual((ref["name"], ref["key"]), ("hub", "hub.services.coursework.apiToken"))

    def test_replicas_without_a_database_fail_to_render(self):
        code, _, err = helm_template("--set", "database.existingSecret=")
        self.assertNotEqual(code, 0)
        self.assertIn("replicas > 1 needs a shared PostgreSQL catalog", err)

    def test_one_replica_may_use_sqlite(self):
        kinds = render("--set", "replicas=1", "--set", "database.existingSecret=")
        self.assertNotIn("COURSEWORK_DATABASE_URL", env_of(kinds))
        # Never two pods on one SQLite file, not even during an update; no budget to block drains.
        self.assertEqual(one(kinds, "Deployment")["spec"]["strategy"]["type"], "Recreate")
        self.assertNotIn("PodDisruptionBudget", kinds)
        egress_ports = [p["port"] for rule in one(kinds, "NetworkPolicy")["spec"]["egress"] for p in rule["ports"]]
        self.assertNotIn(5432, egress_ports)

    def test_replicas_roll_without_a_gap(self):
        strategy = one(render(), "Deployment")["spec"]["strategy"]
        self.assertEqual(strategy, {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0}})

    def test_the_disruption_budget_covers_the_deployments_pods(self):
        for variant, args in VARIANTS.items():
            with self.subTest(variant):
                kinds = render(*args)
                deployment = one(kinds, "Deployment")
                pdb = one(kinds, "PodDisruptionBudget")
                self.assertEqual(pdb["spec"]["maxUnavailable"], 1)
                self.assertEqual(pdb["spec"]["selector"]["matchLabels"], deployment["spec"]["selector"]["matchLabels"])
                pod_labels = deployment["spec"]["template"]["metadata"]["labels"]
                self.assertTrue(selects(pdb["spec"]["selector"]["matchLabels"], pod_labels))

    def test_the_service_selects_the_deployments_pods(self):
        kinds = render()
        labels = one(kinds, "Deployment")["spec"]["template"]["metadata"]["labels"]
        self.assertTrue(selects(one(kinds, "Service")["spec"]["selector"], labels))
        self.assertEqual(one(kinds, "Service")["spec"]["type"], "ClusterIP")

    def test_pods_may_reach_the_hub_under_z2jhs_policy(self):
        labels = one(render(), "Deployment")["spec"]["template"]["metadata"]["labels"]
        self.assertEqual(labels.get("hub.jupyter.org/network-access-hub"), "true")

    def _ingress_components(self, *args):
        policy = one(render(*args), "NetworkPolicy")
        (rule,) = policy["spec"]["ingress"]
        self.assertEqual(rule["ports"], [{"port": "http", "protocol": "TCP"}])
        components = []
        for peer in rule["from"]:
            # Pods of the namespace picked by label: no namespaceSelector, no address ranges.
            self.assertEqual(set(peer), {"podSelector"})
            labels = peer["podSelector"]["matchLabels"]
            self.assertEqual(labels["app"], "jupyterhub")
            components.append(labels["component"])
        return policy, rule, components

    def test_the_network_policy_admits_only_jupyterhubs_pods(self):
        policy, _, components = self._ingress_components()
        pod_labels = one(render(), "Deployment")["spec"]["template"]["metadata"]["labels"]
        self.assertTrue(selects(policy["spec"]["podSelector"]["matchLabels"], pod_labels))
        self.assertEqual(policy["spec"]["policyTypes"], ["Ingress", "Egress"])
        self.assertEqual(sorted(components), ["hub", "proxy", "singleuser-server"])
        _, _, components = self._ingress_components("--set", "networkPolicy.allowFromSingleuserServers=false")
        self.assertEqual(sorted(components), ["hub", "proxy"])
        _, rule, _ = self._ingress_components("-f", str(EXAMPLE))
        self.assertTrue(all(p["podSelector"]["matchLabels"]["release"] == "jupyterhub" for p in rule["from"]))
        self.assertNotIn("NetworkPolicy", render("--set", "networkPolicy.enabled=false"))

    def test_the_network_policy_lets_out_the_hub_postgresql_and_dns_only(self):
        egress = one(render(), "NetworkPolicy")["spec"]["egress"]
        allowed = sorted((p["port"], p["protocol"]) for rule in egress for p in rule["ports"])
        self.assertEqual(allowed, [(53, "TCP"), (53, "UDP"), (5432, "TCP"), (8081, "TCP")])
        (to_hub,) = [rule for rule in egress if rule["ports"] == [{"port": 8081, "protocol": "TCP"}]]
        (peer,) = to_hub["to"]
        self.assertEqual(peer["podSelector"]["matchLabels"], {"app": "jupyterhub", "component": "hub"})

    def test_the_data_volume_is_mounted_at_the_data_dir(self):
        for variant, args in VARIANTS.items():
            with self.subTest(variant):
                kinds = render(*args)
                spec = one(kinds, "Deployment")["spec"]["template"]["spec"]
                claims = {
                    v["name"]: v["persistentVolumeClaim"]["claimName"]
                    for v in spec["volumes"]
                    if "persistentVolumeClaim" in v
                }
                mounts = {m["mountPath"]: m["name"] for m in container(kinds)["volumeMounts"]}
                data_dir = env_values(kinds)["COURSEWORK_DATA_DIR"]
                self.assertEqual(claims[mounts[data_dir]], "coursework-data")
                # The homes claim holds every home the template names.
                template = env_values(kinds)["COURSEWORK_HOME_TEMPLATE"]
                (homes,) = [path for path, name in mounts.items() if claims.get(name) == "home-nfs"]
                self.assertTrue(template.startswith(homes.rstrip("/") + "/") and "{username}" in template)

    def test_the_container_keeps_only_the_capabilities_it_needs(self):
        kinds = render()
        pod = one(kinds, "Deployment")["spec"]["template"]["spec"]
        security = container(kinds)["securityContext"]
        self.assertEqual(security["runAsUser"], 0)
        self.assertFalse(security["allowPrivilegeEscalation"])
        self.assertTrue(security["readOnlyRootFilesystem"])
        self.assertEqual(security["capabilities"]["drop"], ["ALL"])
        self.assertEqual(security["capabilities"]["add"], ["DAC_READ_SEARCH", "SETUID", "SETGID", "KILL"])
        (tmp,) = [m for m in container(kinds)["volumeMounts"] if m["mountPath"] == "/tmp"]
        self.assertIn("emptyDir", next(v for v in pod["volumes"] if v["name"] == tmp["name"]))
        self.assertFalse(pod["automountServiceAccountToken"])
        # Else a Service named coursework adds COURSEWORK_PORT_* variables, which the service warns about.
        self.assertFalse(pod["enableServiceLinks"])

    def test_probes_ask_the_health_endpoint(self):
        routes = (REPO / "service" / "src" / "http" / "routes.ts").read_text()
        self.assertIn("add('get', 'getHealth', '/health'", routes)
        c = container(render())
        for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
            self.assertEqual(c[probe]["httpGet"], {"path": "/services/coursework/health", "port": "http"}, probe)

    def test_other_settings_pass_through_env(self):
        env = env_values(render("--set-string", "env.COURSEWORK_COURSE_ID=ml-200"))
        self.assertEqual(env["COURSEWORK_COURSE_ID"], "ml-200")
        self.assertEqual(env_values(render("-f", str(EXAMPLE)))["COURSEWORK_TIMEZONE"], "Europe/Berlin")

    def test_bad_values_fail_to_render(self):
        bad = {
            "no replicas": ("--set", "replicas=0"),
            "a misspelt key": ("--set", "replica=3"),
            "a secret in env": ("--set-string", "env.COURSEWORK_DATABASE_URL=postgres://u:p@h/db"),
            "a chart-set variable in env": ("--set-string", "env.JUPYTERHUB_API_URL=http://x"),
            "a number in env": ("--set", "env.COURSEWORK_SNAPSHOT_RETENTION_DAYS=30"),
            "a base URL without its slash": ("--set", "hub.baseUrl=/jupyter"),
            "no data claim": ("--set", "dataVolume.existingClaim="),
            "a home outside the homes": ("--set", "homeTemplate=/users/{username}"),
            "a template without the user": ("--set", "homeTemplate=/home/all"),
            "a pull policy": ("--set", "image.pullPolicy=Sometimes"),
            "no token secret": ("--set", "hub.apiToken.existingSecret="),
            "data inside the homes": ("--set", "dataVolume.mountPath=/home/coursework"),
        }
        for why, args in bad.items():
            with self.subTest(why):
                code, _, err = helm_template(*args)
                self.assertNotEqual(code, 0, f"rendered with {why}")
                self.assertRegex(err, r"schema|must|needs")


class FakeConfig(dict):
    """Just enough of traitlets' Config for jupyterhub_config.d/coursework.py: sections made on first use."""

    class Section(dict):
        def __getattr__(self, name):
            try:
                return self[name]
            except KeyError:
                raise AttributeError(name) from None

        def __setattr__(self, name, value):
            self[name] = value

    def __missing__(self, section):
        self[section] = FakeConfig.Section()
        return self[section]

    def __getattr__(self, section):
        return self[section]


def repo_hub_config(host, port):
    """The config jupyterhub_config.d/coursework.py makes, on an empty config, for a service at host:port."""
    c = FakeConfig()
    env = {k: v for k, v in os.environ.items() if not k.startswith("COURSEWORK_")}
    env.update(COURSEWORK_SERVICE_HOST=host, COURSEWORK_SERVICE_PORT=str(port))
    with mock.patch.dict(os.environ, env, clear=True):
        namespace = {"__file__": str(HUB_CONFIG), "__name__": "coursework_hub_config", "get_config": lambda: c}
        exec(compile(HUB_CONFIG.read_text(), str(HUB_CONFIG), "exec"), namespace)
    return c


class Z2jhValuesTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.values = yaml.safe_load(Z2JH_VALUES.read_text())
        cls.service = cls.values["hub"]["services"]["coursework"]
        kinds = render()
        cls.chart_service = one(kinds, "Service")
        cls.chart_env = env_values(kinds)
        cls.pod_labels = one(kinds, "Deployment")["spec"]["template"]["metadata"]["labels"]
        (port,) = cls.chart_service["spec"]["ports"]
        cls.chart_url = f"http://{cls.chart_service['metadata']['name']}:{port['port']}"
        cls.repo = repo_hub_config(cls.chart_service["metadata"]["name"], port["port"])

    def test_the_service_points_at_the_charts_service(self):
        self.assertEqual(self.service["url"], self.chart_url)
        self.assertEqual(self.service["oauth_redirect_uri"], self.chart_env["JUPYTERHUB_OAUTH_CALLBACK_URL"])
        self.assertEqual(self.service["oauth_client_id"], self.chart_env["JUPYTERHUB_CLIENT_ID"])
        self.assertNotIn("command", self.service)

    def test_the_token_is_left_to_z2jh_to_generate(self):
        self.assertFalse({"apiToken", "api_token"} & set(self.service))

    def test_users_servers_find_the_service(self):
        url = self.values["singleuser"]["extraEnv"]["COURSEWORK_URL"]
        self.assertEqual(url, self.chart_url + self.chart_env["JUPYTERHUB_SERVICE_PREFIX"])

    def test_network_policies_let_hub_proxy_and_servers_reach_the_pods(self):
        policies = {
            "hub": self.values["hub"]["networkPolicy"],
            "proxy": self.values["proxy"]["chp"]["networkPolicy"],
            "singleuser": self.values["singleuser"]["networkPolicy"],
        }
        for who, policy in policies.items():
            with self.subTest(who):
                (rule,) = policy["egress"]
                (peer,) = rule["to"]
                self.assertTrue(selects(peer["podSelector"]["matchLabels"], self.pod_labels))
                self.assertEqual(rule["ports"], [{"port": 8080, "protocol": "TCP"}])

    def test_it_grants_what_the_repositorys_hub_config_grants(self):
        repo, values = self.repo, self.values
        self.assertEqual(values["hub"]["config"]["JupyterHub"]["custom_scopes"], repo.JupyterHub.custom_scopes)
        roles = values["hub"]["loadRoles"]
        self.assertEqual(sorted(roles), sorted(r["name"] for r in repo.JupyterHub.load_roles))
        for role in repo.JupyterHub.load_roles:
            with self.subTest(role["name"]):
                self.assertEqual(roles[role["name"]], {k: v for k, v in role.items() if k != "name"})
        (service,) = repo.JupyterHub.services
        for key in ("url", "display", "oauth_no_confirm", "oauth_client_allowed_scopes"):
            self.assertEqual(self.service[key], service[key], key)
        spawner = values["hub"]["config"]["KubeSpawner"]
        self.assertEqual(spawner["server_token_scopes"], repo.Spawner.server_token_scopes)
        self.assertEqual(spawner["oauth_client_allowed_scopes"], repo.Spawner.oauth_client_allowed_scopes)
        self.assertEqual(values["singleuser"]["extraEnv"]["COURSEWORK_URL"], repo.Spawner.environment["COURSEWORK_URL"])


if __name__ == "__main__":
    unittest.main()
