// The knobs of the hashtag_exporter mixin. Override any field from your own jsonnet:
//   (import 'hashtag_exporter-mixin/mixin.libsonnet') + { _config+:: { hashtagExporterSelector: 'job="hashtags"' } }
// The defaults below generate exactly the committed deploy/prometheus/hashtag_exporter.rules.yml
// and grafana/dashboards/*.json (the test deploy.mixin.drift checks it).
{
  _config+:: {
    // Selects the exporter's own scrape job. Used where a series is not the exporter's own
    // metric (`up`, `process_start_time_seconds`: every target has them), so the alerts must
    // say whose. The hashtag_* series are the exporter's alone and keep whatever job and
    // instance the scrape gave, so several jobs can share these rules.
    hashtagExporterSelector: 'job="hashtag_exporter"',

    // runbook_url of every alert: the pattern with %s replaced by the alert name in lower case
    // (the anchor GitHub and GitLab make of a `## AlertName` heading). The default is the
    // runbook's path in this repository; point it at where you browse the repository, e.g.
    // 'https://git.example.com/hashtag_exporter/-/blob/main/deploy/prometheus/runbook.md#%s'.
    runbookURLPattern: 'deploy/prometheus/runbook.md#%s',

    // Thresholds.
    creditsLowThreshold: 100,  // HashtagCreditsLow: fewer API credits than this
    dataStaleIntervals: 3,  // HashtagDataStale: no success for more collection intervals than this
    // HashtagFetchErrorRatioHigh: share of fetches failing (0.25 = a quarter) over
    // fetchErrorRatioWindow. The window must hold at least one collection round of the source
    // (6h covers the usual intervals); with no fetch in it the ratio is undefined, not high.
    fetchErrorRatioThreshold: 0.25,
    fetchErrorRatioWindow: '6h',
    // HashtagExporterRestarting: more restarts than this within restartsWindow.
    restartsThreshold: 2,
    restartsWindow: '1h',
    // HashtagBreakout: a hashtag's video growth over breakoutWindow stands at least this many
    // robust standard deviations above its own 28-day median (hashtag_breakout_score). 3 is
    // the usual robust z-score cut: normal day-to-day noise reaches it on about one day in 700
    // (the exporter's MAD floor makes it rarer still); lower alerts on smaller surprises, higher
    // only on the sharpest. The window must be one the exporter computes (growth.windows in its
    // config: 1d and 7d by default).
    breakoutScoreThreshold: 3,
    breakoutWindow: '1d',

    // for: durations.
    sourceDownFor: '15m',
    dataStaleFor: '10m',
    collectErrorsFor: '30m',
    fetchErrorRatioFor: '15m',
    creditsLowFor: '15m',
    exporterDownFor: '5m',
    exporterAbsentFor: '15m',
    configReloadFailedFor: '5m',

    // Dashboards.
    dashboardTags: ['hashtag_exporter'],
    dashboardRefresh: '1m',
  },
}
