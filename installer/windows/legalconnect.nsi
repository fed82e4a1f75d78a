; LegalConnect Desktop for Windows: per-user (no administrator) or per-machine, a Start-menu entry,
; an uninstaller that leaves the user's data alone, upgrades in place.
;
; Compiled by `./dev package` on a Windows runner against the PyInstaller build, or anywhere with
; makensis against a placeholder payload (tests/installer/test_nsis.py):
;   makensis -DPAYLOAD=<onedir folder> -DVERSION=1.2.3 -DOUTFILE=<setup.exe> legalconnect.nsi

Unicode true
SetCompressor /SOLID lzma

!ifndef PAYLOAD
  !error "PAYLOAD is not set: the folder of the PyInstaller build (-DPAYLOAD=...)"
!endif
!ifndef VERSION
  !error "VERSION is not set (-DVERSION=..., from app/__init__.py)"
!endif
!ifndef OUTFILE
  !define OUTFILE "LegalConnect-Desktop-${VERSION}-setup.exe"
!endif

!define APP_NAME "LegalConnect Desktop"
!define APP_ID "com.legalconnect.desktop"
!define COMPANY "LegalConnect"
!define EXE "LegalConnect Desktop.exe"
!define CLI_EXE "legalconnect.exe" ; `legalconnect sync`: the console twin of the windowed program
!define UNINSTALL_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\${APP_ID}"

; Per-user by default (no administrator needed); per-machine when run elevated or chosen.
!define MULTIUSER_EXECUTIONLEVEL Highest
!define MULTIUSER_MUI
!define MULTIUSER_INSTALLMODE_COMMANDLINE
!define MULTIUSER_INSTALLMODE_INSTDIR "${APP_NAME}"
!define MULTIUSER_INSTALLMODE_INSTDIR_REGISTRY_KEY "${UNINSTALL_KEY}"
!define MULTIUSER_INSTALLMODE_INSTDIR_REGISTRY_VALUENAME "InstallLocation"
!define MULTIUSER_INSTALLMODE_DEFAULT_REGISTRY_KEY "${UNINSTALL_KEY}"
!define MULTIUSER_INSTALLMODE_DEFAULT_REGISTRY_VALUENAME "InstallMode"
!define MULTIUSER_USE_PROGRAMFILES64
!include MultiUser.nsh
!include MUI2.nsh
!include FileFunc.nsh

Name "${APP_NAME}"
OutFile "${OUTFILE}"
BrandingText "${APP_NAME} ${VERSION}"
VIProductVersion "${VERSION}.0"
VIAddVersionKey "ProductName" "${APP_NAME}"
VIAddVersionKey "CompanyName" "${COMPANY}"
VIAddVersionKey "FileVersion" "${VERSION}"
VIAddVersionKey "ProductVersion" "${VERSION}"
VIAddVersionKey "FileDescription" "${APP_NAME} installer"
VIAddVersionKey "LegalCopyright" "${COMPANY}"

!define MUI_ICON "..\..\resources\icons\app.ico"
!define MUI_UNICON "..\..\resources\icons\app.ico"
!define MUI_ABORTWARNING
!define MUI_FINISHPAGE_RUN "$INSTDIR\${EXE}"
!define MUI_FINISHPAGE_RUN_TEXT "Start ${APP_NAME}"

!insertmacro MULTIUSER_PAGE_INSTALLMODE
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES
!insertmacro MUI_LANGUAGE "English"

Function .onInit
  !insertmacro MULTIUSER_INIT
FunctionEnd

Function un.onInit
  !insertmacro MULTIUSER_UNINIT
FunctionEnd

Section "Install"
  ; Upgrade in place: a running copy is asked to close first, then the old files are replaced.
  ; The user's settings, orders cache and logs live in %LOCALAPPDATA%, outside $INSTDIR.
  nsExec::Exec 'taskkill /IM "${EXE}"'
  nsExec::Exec 'taskkill /IM "${CLI_EXE}"'
  Sleep 500
  RMDir /r "$INSTDIR\_internal"
  SetOutPath "$INSTDIR"
  File /r "${PAYLOAD}\*.*"
  WriteUninstaller "$INSTDIR\Uninstall.exe"

  CreateShortcut "$SMPROGRAMS\${APP_NAME}.lnk" "$INSTDIR\${EXE}" "" "$INSTDIR\${EXE}" 0
  ; The Start-menu entry carries the app id, so notifications and the taskbar group as one app.
  WriteRegStr SHCTX "${UNINSTALL_KEY}" "DisplayName" "${APP_NAME}"
  WriteRegStr SHCTX "${UNINSTALL_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr SHCTX "${UNINSTALL_KEY}" "Publisher" "${COMPANY}"
  WriteRegStr SHCTX "${UNINSTALL_KEY}" "DisplayIcon" "$INSTDIR\${EXE}"
  WriteRegStr SHCTX "${UNINSTALL_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr SHCTX "${UNINSTALL_KEY}" "InstallMode" "$MultiUser.InstallMode"
  WriteRegStr SHCTX "${UNINSTALL_KEY}" "UninstallString" '"$INSTDIR\Uninstall.exe" /$MultiUser.InstallMode'
  WriteRegStr SHCTX "${UNINSTALL_KEY}" "QuietUninstallString" '"$INSTDIR\Uninstall.exe" /$MultiUser.InstallMode /S'
  WriteRegDWORD SHCTX "${UNINSTALL_KEY}" "NoModify" 1
  WriteRegDWORD SHCTX "${UNINSTALL_KEY}" "NoRepair" 1
  ${GetSize} "$INSTDIR" "/S=0K" $0 $1 $2
  WriteRegDWORD SHCTX "${UNINSTALL_KEY}" "EstimatedSize" "$0"
SectionEnd

Section "Uninstall"
  nsExec::Exec 'taskkill /IM "${EXE}"'
  nsExec::Exec 'taskkill /IM "${CLI_EXE}"'
  Sleep 500
  Delete "$SMPROGRAMS\${APP_NAME}.lnk"
  ; The login entry the app may have written (Settings › Start at login).
  DeleteRegValue HKCU "Software\Microsoft\Windows\CurrentVersion\Run" "${APP_NAME}"
  RMDir /r "$INSTDIR\_internal"
  Delete "$INSTDIR\${EXE}"
  Delete "$INSTDIR\${CLI_EXE}"
  Delete "$INSTDIR\Uninstall.exe"
  RMDir "$INSTDIR"
  DeleteRegKey SHCTX "${UNINSTALL_KEY}"
  ; Settings, the orders cache, drafts and logs (%LOCALAPPDATA%\LegalConnect) stay: they are the
  ; user's, and a reinstall picks them up. Passwords and tokens are in Windows Credential Manager.
SectionEnd
