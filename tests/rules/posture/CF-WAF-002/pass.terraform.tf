# The prod stage of a REST API, protected by a WAF web ACL.
variable "rest_api_id" {
  type    = string
  default = "a1b2c3d4e5"
}

variable "deployment_id" {
  type    = string
  default = "x7y8z9"
}

resource "aws_api_gateway_stage" "prod" {
  rest_api_id          = var.rest_api_id
  deployment_id        = var.deployment_id
  stage_name           = "prod"
  xray_tracing_enabled = true
}

resource "aws_wafv2_web_acl" "main" {
  name  = "acme-web"
  scope = "REGIONAL"

  default_action {
    allow {}
  }

  visibility_config {
    cloudwatch_metrics_enabled = true
    metric_name                = "acme-web"
    sampled_requests_enabled   = true
  }
}

resource "aws_wafv2_web_acl_association" "main" {
  resource_arn = aws_api_gateway_stage.prod.arn
  web_acl_arn  = aws_wafv2_web_acl.main.arn
}
