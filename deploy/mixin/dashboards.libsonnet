// Grafana dashboards. The panels are authored as Grafana JSON in dashboards/ (edit them there,
// or in Grafana and export); this file adds what the mixin configures and what every dashboard
// of a mixin must have: the `instance` variable beside `datasource` and `job`, used by every
// query and carried by every link, and the tags and refresh of _config; and the breakout score
// threshold of _config on the panels that show the score.
local instanceVariable = {
  name: 'instance',
  label: 'Instance',
  type: 'query',
  datasource: { type: 'prometheus', uid: '${datasource}' },
  description: 'Exporter instance(s) of the selected jobs; All matches every instance.',
  query: 'label_values(hashtag_exporter_build_info{job=~"$job"}, instance)',
  refresh: 2,
  sort: 1,
  includeAll: true,
  allValue: '.+',
  multi: true,
  hide: 0,
  options: [],
  regex: '',
  skipUrlSync: false,
};

// Every string of `value`, recursively, through f.
local mapStrings(f, value) =
  if std.isString(value) then f(value)
  else if std.isArray(value) then [mapStrings(f, item) for item in value]
  else if std.isObject(value) then { [key]: mapStrings(f, value[key]) for key in std.objectFields(value) }
  else value;

// The source dashboards filter by job=~"$job" everywhere (queries, variable queries) and pass
// ${job:queryparam} in links; the instance goes right beside it.
local withInstance(text) =
  std.strReplace(
    std.strReplace(text, 'job=~"$job"', 'job=~"$job", instance=~"$instance"'),
    '${job:queryparam}',
    '${job:queryparam}&${instance:queryparam}'
  );

// A panel of breakout scores is red from the score at which HashtagBreakout fires, so its
// threshold (a line on a graph, a colour on a bar or cell) comes from the same _config field as
// the alert. The source JSON holds the default: a base step and one more, which this replaces.
local queriesBreakoutScore(panel) =
  std.objectHas(panel, 'targets') &&
  std.length([t for t in panel.targets if std.length(std.findSubstr('hashtag_breakout_score', t.expr)) > 0]) > 0;

local withBreakoutThreshold(config, panel) =
  if !queriesBreakoutScore(panel) then panel
  else
    local steps = panel.fieldConfig.defaults.thresholds.steps;
    assert std.length(steps) == 2 : panel.title + ': a breakout score panel has a base step and the alert step';
    panel {
      fieldConfig+: { defaults+: { thresholds+: {
        steps: [steps[0], steps[1] { value: config.breakoutScoreThreshold }],
      } } },
    };

local withBreakoutThresholds(config, panels) = [
  withBreakoutThreshold(config, panel) + (
    if std.objectHas(panel, 'panels') then { panels: [withBreakoutThreshold(config, inner) for inner in panel.panels] } else {}
  )
  for panel in panels
];

local patch(config, dashboard) =
  local variables = dashboard.templating.list;
  local names = [v.name for v in variables];
  assert std.member(names, 'datasource') && std.member(names, 'job') : dashboard.uid + ': needs datasource and job variables';
  assert !std.member(names, 'instance') : dashboard.uid + ': instance is added here, not in the source';
  local jobAt = std.find('job', names)[0];
  mapStrings(withInstance, dashboard) {
    tags: config.dashboardTags,
    refresh: config.dashboardRefresh,
    panels: withBreakoutThresholds(config, super.panels),
    templating+: {
      list: std.flattenArrays([
        [mapStrings(withInstance, v)] + (if v.name == 'job' then [instanceVariable] else [])
        for v in variables
      ]),
    },
  };

{
  grafanaDashboards+:: {
    'hashtag-overview.json': patch($._config, import 'dashboards/hashtag-overview.json'),
    'hashtag-detail.json': patch($._config, import 'dashboards/hashtag-detail.json'),
  },
}
