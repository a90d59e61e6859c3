// Recording rules. Names follow level:metric:operations, and the dashboards query these exact
// names (tests/deploy/prometheus/lint_rules.py pins them): rename them together.
{
  prometheusRules+:: {
    groups+: [
      {
        name: 'hashtag_exporter.recording',
        rules: [
          // Share of a source's hashtags whose last fetch succeeded (1 = all, 0 = none).
          // Dashboards and HashtagSourceDown use it.
          {
            record: 'source:hashtag_up:ratio',
            expr: |||
              avg by (job, instance, source) (hashtag_up)
            |||,
          },
          // Seconds since the last successful fetch of each hashtag.
          {
            record: 'hashtag:data_age_seconds',
            expr: |||
              time() - hashtag_last_success_timestamp_seconds
            |||,
          },
          // Failed fetches per second by reason, over an hour: collections are hours apart, so a
          // shorter range would mostly see no change at all.
          {
            record: 'source:hashtag_collect_errors:rate1h',
            expr: |||
              sum by (job, instance, source, reason) (rate(hashtag_collect_errors_total[1h]))
            |||,
          },
          // How far each hashtag's day-over-day video growth is above its own alert threshold,
          // in percentage points: positive means HashtagVideoGrowthHigh is firing.
          // `ignoring(window)` matches the growth series to the threshold gauge, which has no
          // window label; one-to-one matching drops it from the result.
          {
            record: 'hashtag:videos_growth_percent:excess_1d',
            expr: |||
              hashtag_videos_growth_percent{window="1d"}
                - ignoring(window)
              hashtag_growth_alert_threshold_percent
            |||,
          },
        ],
      },
    ],
  },
}
