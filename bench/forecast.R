# R anchors for bench:forecast on the same training windows: forecast::ets,
# auto.arima, thetaf, stlf, the ETS + ARIMA + Theta mean (points and bounds
# averaged), and prophet when it is installed.
# Usage: Rscript bench/forecast.R <train.csv> <out.csv> <horizon> <level>
# Writes method,series_id,h,point,lower,upper and prints per-method seconds.
suppressPackageStartupMessages(library(forecast))
has_prophet <- requireNamespace("prophet", quietly = TRUE)
if (has_prophet) suppressPackageStartupMessages(library(prophet))
args <- commandArgs(trailingOnly = TRUE)
train <- read.csv(args[1], stringsAsFactors = FALSE)
h <- as.integer(args[3]); level <- as.numeric(args[4])
ids <- unique(train$series_id)
methods <- c("ets", "auto.arima", "thetaf", "stlf", "ets+arima+theta", if (has_prophet) "prophet")
secs <- setNames(rep(0, length(methods)), methods)
out <- list()
keep <- function(method, id, f) {
  out[[length(out) + 1]] <<- data.frame(method = method, series_id = id, h = 1:h,
    point = as.numeric(f$mean), lower = as.numeric(f$lower), upper = as.numeric(f$upper))
}
timed <- function(method, expr) {
  t0 <- proc.time()[["elapsed"]]
  v <- expr
  secs[method] <<- secs[method] + proc.time()[["elapsed"]] - t0
  v
}
for (id in ids) {
  d <- train[train$series_id == id, ]
  y <- ts(d$value, frequency = 7)
  fe <- timed("ets", forecast(ets(y), h = h, level = level)); keep("ets", id, fe)
  fa <- timed("auto.arima", forecast(auto.arima(y), h = h, level = level)); keep("auto.arima", id, fa)
  ft <- timed("thetaf", thetaf(y, h = h, level = level)); keep("thetaf", id, ft)
  fs <- timed("stlf", stlf(y, h = h, level = level)); keep("stlf", id, fs)
  comb <- list(mean = (fe$mean + fa$mean + ft$mean) / 3, lower = (fe$lower + fa$lower + ft$lower) / 3, upper = (fe$upper + fa$upper + ft$upper) / 3)
  secs["ets+arima+theta"] <- secs["ets"] + secs["auto.arima"] + secs["thetaf"]
  keep("ets+arima+theta", id, comb)
  if (has_prophet) {
    p <- timed("prophet", {
      df <- data.frame(ds = as.Date(d$date), y = d$value)
      m <- suppressMessages(prophet(df, daily.seasonality = FALSE, yearly.seasonality = "auto", weekly.seasonality = TRUE, interval.width = level / 100))
      predict(m, make_future_dataframe(m, periods = h, include_history = FALSE))
    })
    keep("prophet", id, list(mean = p$yhat, lower = p$yhat_lower, upper = p$yhat_upper))
  }
}
write.csv(do.call(rbind, out), args[2], row.names = FALSE)
cat(sprintf("seconds %s series=%d\n", paste(sprintf("%s=%.3f", names(secs), secs), collapse = " "), length(ids)))
