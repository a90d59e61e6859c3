// The hashtag_exporter monitoring mixin: alerts, recording rules and Grafana dashboards, all
// generated from _config (config.libsonnet). See README.md in this folder.
(import 'config.libsonnet') +
(import 'alerts.libsonnet') +
(import 'rules.libsonnet') +
(import 'dashboards.libsonnet')
