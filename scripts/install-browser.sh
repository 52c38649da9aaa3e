#!/usr/bin/env bash
# Debian's Chromium and ChromeDriver for the browser tests (never a vendor download), and
# fonts for the scripts the end-to-end screenshots show (Japanese, Chinese and Korean are
# blank boxes in Chromium without Noto CJK; Arabic and Hebrew are in DejaVu already).
set -euo pipefail
SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
need=()
command -v chromium >/dev/null && command -v chromedriver >/dev/null || need+=(chromium chromium-driver)
fc-list :lang=ja 2>/dev/null | grep -q . || need+=(fonts-noto-cjk)
[ ${#need[@]} = 0 ] && exit 0
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
chromium --version
