// Alerting rules of hashtag_exporter, from _config (config.libsonnet). Every alert has a
// severity (info: news about hashtags; warning: collection degraded; critical: no data at all)
// and the annotations summary, description and runbook_url (a section of
// deploy/prometheus/runbook.md, one per alert).
local alert(config, name, rule) = rule {
  alert: name,
  annotations+: {
    runbook_url: config.runbookURLPattern % std.asciiLower(name),
  },
};

// The threshold a growth alert compared with, looked up by the alert's own labels, so the
// description shows the one this hashtag is compared with.
local thresholdOf = '{{ with printf "hashtag_growth_alert_threshold_percent{job=%q,instance=%q,source=%q,hashtag=%q}" $labels.job $labels.instance $labels.source $labels.hashtag | query }}{{ . | first | value | humanize }}{{ end }}';

// A series of the breakout window for the alert's hashtag, formatted with `format` (a template
// pipeline stage), for descriptions of alerts whose $value is something else.
local windowValueOf(metric, window, format) = '{{ with printf "' + metric + '{job=%q,instance=%q,source=%q,hashtag=%q,window=%q}" $labels.job $labels.instance $labels.source $labels.hashtag "' + window + '" | query }}{{ . | first | value | ' + format + ' }}{{ end }}';

{
  prometheusAlerts+:: {
    local config = $._config,
    groups+: [
      {
        name: 'hashtag_exporter.alerts',
        rules: [
          // Growth alerts have no `for`: growth is computed by the exporter from stored
          // snapshots and changes only once per collection (every few hours), so it does not
          // flicker the way a scraped rate does; a `for` would only delay the news. Strictly
          // above: exactly at the threshold does not fire. A hashtag without a 1d growth series
          // (not enough history, a zero reference) never fires, nor do other windows such as
          // 7d. $value is the growth (a filtering comparison keeps the left-hand value). The
          // threshold is not in the rules: the exporter exports it from its config.
          alert(config, 'HashtagVideoGrowthHigh', {
            expr: |||
              hashtag_videos_growth_percent{window="1d"}
                > ignoring(window)
              hashtag_growth_alert_threshold_percent
            |||,
            labels: { severity: 'info' },
            annotations: {
              summary: 'Hashtag video growth above threshold',
              description: '#{{ $labels.hashtag }} on {{ $labels.source }}: the video count grew {{ $value | printf "%.1f" }} % over the last day, above its alert threshold of ' + thresholdOf + ' %.',
            },
          }),

          // The same for views, against the same per-hashtag threshold.
          alert(config, 'HashtagViewGrowthHigh', {
            expr: |||
              hashtag_views_growth_percent{window="1d"}
                > ignoring(window)
              hashtag_growth_alert_threshold_percent
            |||,
            labels: { severity: 'info' },
            annotations: {
              summary: 'Hashtag view growth above threshold',
              description: '#{{ $labels.hashtag }} on {{ $labels.source }}: the view count grew {{ $value | printf "%.1f" }} % over the last day, above its alert threshold of ' + thresholdOf + ' %.',
            },
          }),

          // Growth unusual for this hashtag, not just high: the growth alert fires every day for
          // a hashtag that always grows fast; this one only when its breakout score (how far its
          // growth stands above its own 28-day median, in robust standard deviations) reaches
          // breakoutScoreThreshold AND the growth is strictly above the hashtag's threshold, so
          // a usually flat hashtag moving from 0.2 % to 3 % a day stays quiet. At exactly the
          // score threshold it fires (>=). No score series (under 7 days of history: the
          // exporter exports no baseline yet) means no alert. No `for`, as for the growth
          // alerts: growth and score change only when the hashtag is polled (the baseline once a
          // day), so they do not flicker, and a `for` would only delay the news; an adaptive
          // schedule polls a rising hashtag sooner, which a `for` would waste. $value is the
          // growth, and the labels are the growth alert's (`ignoring(window)` drops the window
          // on both sides), so an inhibit rule can silence HashtagVideoGrowthHigh for a hashtag
          // while this fires.
          alert(config, 'HashtagBreakout', {
            expr: |||
              hashtag_videos_growth_percent{window="%(breakoutWindow)s"}
                > ignoring(window)
              hashtag_growth_alert_threshold_percent
                and ignoring(window)
              hashtag_breakout_score{window="%(breakoutWindow)s"} >= %(breakoutScoreThreshold)s
            ||| % config,
            labels: { severity: 'info' },
            annotations: {
              summary: 'Hashtag breaking out of its usual growth',
              description: '#{{ $labels.hashtag }} on {{ $labels.source }}: the video count grew {{ $value | printf "%.1f" }} % over ' + config.breakoutWindow + ', against its usual ' + windowValueOf('hashtag_videos_growth_baseline_percent', config.breakoutWindow, 'printf "%.1f"') + ' % (breakout score ' + windowValueOf('hashtag_breakout_score', config.breakoutWindow, 'printf "%.1f"') + ', alert at ' + std.toString(config.breakoutScoreThreshold) + '; its growth alert threshold is ' + thresholdOf + ' %).',
            },
          }),

          // Every hashtag of a source failed its last fetch: an outage, a revoked key or no
          // credits rather than one bad hashtag. hashtag_up changes once per collection, so
          // 15m skips a brief failure right after a restart without waiting hours.
          alert(config, 'HashtagSourceDown', {
            expr: |||
              source:hashtag_up:ratio == 0
            |||,
            'for': config.sourceDownFor,
            labels: { severity: 'warning' },
            annotations: {
              summary: 'Every hashtag of a source fails to collect',
              description: 'The last fetch of every hashtag of source {{ $labels.source }} on {{ $labels.instance }} failed; counts and growth are frozen at their last good values. hashtag_collect_errors_total{source="{{ $labels.source }}"} says why.',
            },
          }),

          // No successful fetch for more than N collection intervals: N-1 missed rounds are
          // tolerated (a transient API failure). The interval comes from the exporter (per
          // source), so 6h and 30s sources both work. `on(job, instance, source) group_left`:
          // many hashtags to one interval per source.
          alert(config, 'HashtagDataStale', {
            expr: |||
              hashtag:data_age_seconds
                > on(job, instance, source) group_left
              %(dataStaleIntervals)s * hashtag_collect_interval_seconds
            ||| % config,
            'for': config.dataStaleFor,
            labels: { severity: 'warning' },
            annotations: {
              summary: 'Hashtag data is stale',
              description: 'The last successful fetch of #{{ $labels.hashtag }} on {{ $labels.source }} ({{ $labels.instance }}) was {{ $value | humanizeDuration }} ago, more than %(dataStaleIntervals)s collection intervals.' % config,
            },
          }),

          // Fetches keep failing for some reason. not_found is left out: a hashtag that does not
          // exist on the platform is a config matter that would fire for as long as the tag
          // stays in the config; hashtag_up shows it per hashtag. The 1h rate stays above 0 for
          // an hour after one failure, so the `for` fires on failures that recur or last, not
          // on every single one.
          alert(config, 'HashtagCollectErrorsRising', {
            expr: |||
              source:hashtag_collect_errors:rate1h{reason!="not_found"} > 0
            |||,
            'for': config.collectErrorsFor,
            labels: { severity: 'warning' },
            annotations: {
              summary: 'Hashtag collection errors are rising',
              description: 'Fetches from source {{ $labels.source }} on {{ $labels.instance }} are failing with reason {{ $labels.reason }}: about {{ with printf "source:hashtag_collect_errors:rate1h{job=%q,instance=%q,source=%q,reason=%q} * 3600" $labels.job $labels.instance $labels.source $labels.reason | query }}{{ . | first | value | printf "%.1f" }}{{ end }} failed fetches in the last hour.',
            },
          }),

          // A large share of a source's fetches fail, whatever the reason (not_found aside, as
          // above): HashtagCollectErrorsRising says that errors happen, this one that they are
          // no longer the exception. hashtag_fetches_total counts every fetch attempted, so the
          // ratio is between 0 and 1. A source with no fetch in the window has no ratio (0/0)
          // and never fires; the window is long because collections are hours apart.
          alert(config, 'HashtagFetchErrorRatioHigh', {
            expr: |||
              sum by (job, instance, source) (rate(hashtag_collect_errors_total{reason!="not_found"}[%(fetchErrorRatioWindow)s]))
                /
              sum by (job, instance, source) (rate(hashtag_fetches_total[%(fetchErrorRatioWindow)s]))
                > %(fetchErrorRatioThreshold)s
            ||| % config,
            'for': config.fetchErrorRatioFor,
            labels: { severity: 'warning' },
            annotations: {
              summary: 'A large share of hashtag fetches fail',
              description: '{{ $value | humanizePercentage }} of the fetches from source {{ $labels.source }} on {{ $labels.instance }} failed over the last %(fetchErrorRatioWindow)s (alert above %(threshold)s).' % (config { threshold: std.toString(config.fetchErrorRatioThreshold * 100) + ' %' }),
            },
          }),

          // Each fetch costs API credits; this warns before they run out (the API then answers
          // 402 and the source goes down). 100 is a few days of a handful of hashtags every 6h.
          alert(config, 'HashtagCreditsLow', {
            expr: |||
              hashtag_source_credits_remaining < %(creditsLowThreshold)s
            ||| % config,
            'for': config.creditsLowFor,
            labels: { severity: 'warning' },
            annotations: {
              summary: 'API credits running low',
              description: 'Source {{ $labels.source }} on {{ $labels.instance }} has {{ $value | humanize }} API credits left; when they run out every fetch fails with reason credits.',
            },
          }),

          // Prometheus cannot scrape the exporter. The `for` rides out a restart.
          alert(config, 'HashtagExporterDown', {
            expr: |||
              up{%(hashtagExporterSelector)s} == 0
            ||| % config,
            'for': config.exporterDownFor,
            labels: { severity: 'critical' },
            annotations: {
              summary: 'hashtag_exporter is down',
              description: 'Prometheus has failed to scrape {{ $labels.instance }} (job {{ $labels.job }}) for %(exporterDownFor)s: no hashtag data and no growth alerts from it.' % config,
            },
          }),

          // No target of the job at all (service discovery lost it, or the job was renamed):
          // HashtagExporterDown cannot fire without an `up` series.
          alert(config, 'HashtagExporterAbsent', {
            expr: |||
              absent(up{%(hashtagExporterSelector)s})
            ||| % config,
            'for': config.exporterAbsentFor,
            labels: { severity: 'critical' },
            annotations: {
              summary: 'hashtag_exporter has disappeared from Prometheus',
              description: 'Prometheus has had no target of job {{ $labels.job }} for %(exporterAbsentFor)s: no hashtag data and no growth alerts.' % config,
            },
          }),

          // The process keeps restarting (a crash loop, an OOM kill, a failing liveness probe):
          // each start is a new process_start_time_seconds. `up` may look fine between the
          // restarts, so HashtagExporterDown does not see it. No `for`: the window is the
          // delay already, and the count drops once restarts stop.
          alert(config, 'HashtagExporterRestarting', {
            expr: |||
              changes(process_start_time_seconds{%(hashtagExporterSelector)s}[%(restartsWindow)s]) > %(restartsThreshold)s
            ||| % config,
            labels: { severity: 'warning' },
            annotations: {
              summary: 'hashtag_exporter keeps restarting',
              description: '{{ $labels.instance }} (job {{ $labels.job }}) restarted {{ $value }} times in the last %(restartsWindow)s.' % config,
            },
          }),

          // A reload (POST /-/reload or SIGHUP) was rejected; the exporter keeps running the
          // previous config, so the change the operator made is not in effect.
          alert(config, 'HashtagExporterConfigReloadFailed', {
            expr: |||
              hashtag_exporter_config_last_reload_successful == 0
            |||,
            'for': config.configReloadFailedFor,
            labels: { severity: 'warning' },
            annotations: {
              summary: 'hashtag_exporter config reload failed',
              description: 'The last config reload of {{ $labels.instance }} failed and it still runs the previous config; `hashtag_exporter --config.check` shows the error.',
            },
          }),
        ],
      },
    ],
  },
}
