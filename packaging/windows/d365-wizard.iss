; Inno Setup 6 definition for the Windows installer (NOT built or tested here: no Windows).
; Build on Windows after `bash packaging/build.sh` (Git Bash) or the equivalent PyInstaller
; run has produced dist\d365-wizard\:
;   iscc /DAppVersion=0.1.0 packaging\windows\d365-wizard.iss
; Silent install for device management:  d365-wizard-setup.exe /VERYSILENT /SUPPRESSMSGBOXES
;   add /DEPLOYMENT="C:\path\deployment.json" to copy a deployment file to the machine-wide
;   location (%PROGRAMDATA%\d365-wizard\deployment.json), applied at each user's next start.

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif
#define AppName "D365 Wizard"
#define AppId "{{6F0A3C52-2B7E-4C55-9E0B-0D365A11CE01}"
#define Dist "..\..\dist\d365-wizard"

[Setup]
AppId={#AppId}
AppName={#AppName}
AppVersion={#AppVersion}
AppPublisher=d365-wizard contributors
AppPublisherURL=https://github.com/d365wizard/d365-wizard
DefaultDirName={autopf}\D365 Wizard
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
; Per-machine by default (helpdesk deployment); users without admin rights may choose per-user.
PrivilegesRequired=admin
PrivilegesRequiredOverridesAllowed=dialog commandline
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir=..\..\dist
OutputBaseFilename=d365-wizard-{#AppVersion}-setup
Compression=lzma2
SolidCompression=yes
WizardStyle=modern
SetupIconFile=..\build\d365-wizard.ico
UninstallDisplayIcon={app}\d365-wizard.exe
ChangesEnvironment=yes

[Languages]
Name: "en"; MessagesFile: "compiler:Default.isl"
Name: "ja"; MessagesFile: "compiler:Languages\Japanese.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; Flags: unchecked
Name: "addtopath"; Description: "Add d365-orgs to my PATH (command line, this user)"; Flags: unchecked

[Files]
Source: "{#Dist}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs
Source: "{param:DEPLOYMENT}"; DestDir: "{commonappdata}\d365-wizard"; DestName: "deployment.json"; \
    Flags: external skipifsourcedoesntexist; Check: HasDeployment

[Icons]
Name: "{group}\{#AppName}"; Filename: "{app}\d365-wizard.exe"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\d365-wizard.exe"; Tasks: desktopicon

[Registry]
Root: HKCU; Subkey: "Environment"; ValueType: expandsz; ValueName: "Path"; \
    ValueData: "{olddata};{app}"; Tasks: addtopath; Check: NeedsAddPath(ExpandConstant('{app}'))

[Run]
Filename: "{app}\d365-wizard.exe"; Description: "{cm:LaunchProgram,{#AppName}}"; \
    Flags: nowait postinstall skipifsilent

[Code]
function HasDeployment: Boolean;
begin
  Result := ExpandConstant('{param:DEPLOYMENT|}') <> '';
end;

function NeedsAddPath(Dir: string): Boolean;
var
  Paths: string;
begin
  if not RegQueryStringValue(HKEY_CURRENT_USER, 'Environment', 'Path', Paths) then
    Paths := '';
  Result := Pos(';' + Uppercase(Dir) + ';', ';' + Uppercase(Paths) + ';') = 0;
end;
