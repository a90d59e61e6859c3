// Grafana dashboards. The panels are authored as Grafana JSON in dashboards/ (edit them there,
// or in Grafana and export); this file adds what the mixin configures and what every dashboard
// of a mixin must have: the `instance` variable beside `datasource` and `job`, used by every
// query and carried by every link, and the tags and refresh of _config.
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

local patch(config, dashboard) =
  local variables = dashboard.templating.list;
  local names = [v.name for v in variables];
  assert std.member(names, 'datasource') && std.member(names, 'job') : dashboard.uid + ': needs datasource and job variables';
  assert !std.member(names, 'instance') : dashboard.uid + ': instance is added here, not in the source';
  local jobAt = std.find('job', names)[0];
  mapStrings(withInstance, dashboard) {
    tags: config.dashboardTags,
    refresh: config.dashboardRefresh,
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
