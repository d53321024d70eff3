# The boot script exports a long-lived access key.
resource "aws_launch_template" "app" {
  name          = "app"
  image_id      = "ami-0c1bc246476a5572b"
  instance_type = "t3.micro"

  user_data = base64encode(<<-EOT
    #!/bin/bash
    export AWS_ACCESS_KEY_ID=AKIAR7MWXQ2PLD4KTN6E
    aws s3 sync s3://acme-artifacts /opt/app
  EOT
  )
}
