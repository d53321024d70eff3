# A customer managed policy that allows everything.
resource "aws_iam_policy" "ops" {
  name        = "acme-ops"
  path        = "/"
  description = "operations"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = "*"
      Resource = "*"
    }]
  })
}
