# R anchors for bench:forecast: forecast::ets and prophet on the same training
# windows. Usage: Rscript bench/forecast.R <train.csv> <out.csv> <horizon> <level>
# Writes method,series_id,h,point,lower,upper and prints per-method seconds.
suppressPackageStartupMessages({ library(forecast); library(prophet) })
args <- commandArgs(trailingOnly = TRUE)
train <- read.csv(args[1], stringsAsFactors = FALSE)
h <- as.integer(args[3]); level <- as.numeric(args[4])
ids <- unique(train$series_id)
out <- list(); secs <- c(ets = 0, prophet = 0)
for (id in ids) {
  d <- train[train$series_id == id, ]
  y <- ts(d$value, frequency = 7)
  t0 <- proc.time()[["elapsed"]]
  f <- forecast(ets(y), h = h, level = level)
  secs["ets"] <- secs["ets"] + proc.time()[["elapsed"]] - t0
  out[[length(out) + 1]] <- data.frame(method = "ets", series_id = id, h = 1:h,
    point = as.numeric(f$mean), lower = as.numeric(f$lower), upper = as.numeric(f$upper))
  t0 <- proc.time()[["elapsed"]]
  df <- data.frame(ds = as.Date(d$date), y = d$value)
  m <- suppressMessages(prophet(df, daily.seasonality = FALSE, yearly.seasonality = "auto",
                                weekly.seasonality = TRUE, interval.width = level / 100))
  fut <- make_future_dataframe(m, periods = h, include_history = FALSE)
  p <- predict(m, fut)
  secs["prophet"] <- secs["prophet"] + proc.time()[["elapsed"]] - t0
  out[[length(out) + 1]] <- data.frame(method = "prophet", series_id = id, h = 1:h,
    point = p$yhat, lower = p$yhat_lower, upper = p$yhat_upper)
}
write.csv(do.call(rbind, out), args[2], row.names = FALSE)
cat(sprintf("seconds ets=%.3f prophet=%.3f series=%d\n", secs["ets"], secs["prophet"], length(ids)))
