# The prod stage of a REST API, with no web ACL in front of it.
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
