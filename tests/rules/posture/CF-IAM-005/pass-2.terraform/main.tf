# The same team module, given read access to metrics and logs.
module "team" {
  source = "./modules/team"
  name   = "platform"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["cloudwatch:GetMetricData", "logs:FilterLogEvents"]
      Resource = ["*"]
    }]
  })
}
