# Reads objects of the reports bucket only.
resource "aws_iam_policy" "ops" {
  name        = "acme-ops"
  path        = "/"
  description = "operations"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["s3:GetObject"]
      Resource = "arn:aws:s3:::acme-reports/*"
    }]
  })
}
