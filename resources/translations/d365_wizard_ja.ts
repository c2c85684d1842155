<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="ja_JP" sourcelanguage="en">
<context>
    <name></name>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="56"/>
        <location filename="../../wizard/gui/add_org_wizard.py" line="86"/>
        <source>Dynamics 365 (online)</source>
        <translation>Dynamics 365 (オンライン)</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="56"/>
        <location filename="../../wizard/gui/models.py" line="38"/>
        <source>On-premises</source>
        <translation>オンプレミス</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="57"/>
        <source>Internet-facing deployment (IFD)</source>
        <translation>インターネット接続展開 (IFD)</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="61"/>
        <source>Microsoft Entra ID sign-in</source>
        <translation>Microsoft Entra ID サインイン</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="61"/>
        <source>Windows authentication (user name and password)</source>
        <translation>Windows 認証 (ユーザー名とパスワード)</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="62"/>
        <source>Claims-based sign-in (AD FS)</source>
        <translation>クレーム ベースのサインイン (AD FS)</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="70"/>
        <source>Add an organization</source>
        <translation>組織の追加</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="71"/>
        <source>Paste the address of your organization, or sign in to Dynamics 365 (online) and choose from your organizations.</source>
        <translation>組織のアドレスを貼り付けるか、Dynamics 365 (オンライン) にサインインして所属する組織から選択してください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="74"/>
        <source>Server &amp;URL</source>
        <translation>サーバー URL(&amp;U)</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="75"/>
        <location filename="../../wizard/gui/add_org_wizard.py" line="78"/>
        <source>Server URL</source>
        <translation>サーバー URL</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="75"/>
        <source>Add an organization by its address.</source>
        <translation>アドレスを指定して組織を追加します。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="77"/>
        <source>For example https://contoso.crm.dynamics.com or https://server/orgname</source>
        <translation>例: https://contoso.crm.dynamics.com または https://server/orgname</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="79"/>
        <source>Any address of the organization, copied from your browser, works.</source>
        <translation>ブラウザーからコピーした組織のアドレスであれば、どの形式でも使えます。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="84"/>
        <source>What the address means</source>
        <translation>アドレスの解析結果</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="85"/>
        <source>Dynamics 365 (&amp;online): sign in and choose from your organizations</source>
        <translation>Dynamics 365 (オンライン)(&amp;O): サインインして組織を選択</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="87"/>
        <source>Sign in and pick from the organizations you belong to.</source>
        <translation>サインインして、所属する組織から選択します。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="91"/>
        <source>Cloud</source>
        <translation>クラウド</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="91"/>
        <source>Where your organization is hosted.</source>
        <translation>組織がホストされている場所です。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="108"/>
        <source>&amp;Cloud:</source>
        <translation>クラウド(&amp;C):</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="137"/>
        <source>Found: {url}</source>
        <translation>検出: {url}</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="139"/>
        <source>organization {name}</source>
        <translation>組織 {name}</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="222"/>
        <source>Finding out how to sign in</source>
        <translation>サインイン方法を確認しています</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="227"/>
        <source>Detection result</source>
        <translation>検出結果</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="230"/>
        <location filename="../../wizard/gui/add_org_wizard.py" line="610"/>
        <location filename="../../wizard/gui/dialogs.py" line="220"/>
        <location filename="../../wizard/gui/switch_dialogs.py" line="190"/>
        <location filename="../../wizard/gui/sync_dialogs.py" line="97"/>
        <source>Progress</source>
        <translation>進行状況</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="239"/>
        <source>Contacting {url}…</source>
        <translation>{url} に接続しています…</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="248"/>
        <source>{url} uses {method}.</source>
        <translation>{url} は {method} を使用しています。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="273"/>
        <source>Enter your credentials</source>
        <translation>資格情報の入力</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="274"/>
        <source>This organization uses Windows authentication.</source>
        <translation>この組織は Windows 認証を使用しています。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="278"/>
        <location filename="../../wizard/gui/reauth_dialog.py" line="89"/>
        <source>DOMAIN\name</source>
        <translation>DOMAIN\name</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="279"/>
        <location filename="../../wizard/gui/dialogs.py" line="603"/>
        <location filename="../../wizard/gui/reauth_dialog.py" line="90"/>
        <location filename="../../wizard/gui/sync_dialogs.py" line="489"/>
        <source>User name</source>
        <translation>ユーザー名</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="282"/>
        <location filename="../../wizard/gui/dialogs.py" line="606"/>
        <location filename="../../wizard/gui/reauth_dialog.py" line="93"/>
        <location filename="../../wizard/gui/sync_dialogs.py" line="496"/>
        <source>Password</source>
        <translation>パスワード</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="283"/>
        <location filename="../../wizard/gui/dialogs.py" line="610"/>
        <location filename="../../wizard/gui/reauth_dialog.py" line="96"/>
        <location filename="../../wizard/gui/sync_dialogs.py" line="490"/>
        <source>&amp;User name:</source>
        <translation>ユーザー名(&amp;U):</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="283"/>
        <location filename="../../wizard/gui/dialogs.py" line="610"/>
        <location filename="../../wizard/gui/reauth_dialog.py" line="96"/>
        <location filename="../../wizard/gui/sync_dialogs.py" line="498"/>
        <source>&amp;Password:</source>
        <translation>パスワード(&amp;P):</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="288"/>
        <location filename="../../wizard/gui/reauth_dialog.py" line="104"/>
        <source>&amp;Save credentials in the system keyring</source>
        <translation>システムのキーリングに資格情報を保存する(&amp;S)</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="289"/>
        <location filename="../../wizard/gui/dialogs.py" line="95"/>
        <location filename="../../wizard/gui/reauth_dialog.py" line="106"/>
        <source>Save credentials</source>
        <translation>資格情報を保存する</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="290"/>
        <location filename="../../wizard/gui/reauth_dialog.py" line="107"/>
        <source>When unchecked, nothing is stored and you are asked again next time.</source>
        <translation>オフの場合は何も保存されず、次回も入力を求められます。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="292"/>
        <location filename="../../wizard/gui/add_org_wizard.py" line="305"/>
        <source>When this is unchecked, nothing is stored.</source>
        <translation>オフの場合、何も保存されません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="295"/>
        <source>About saving credentials</source>
        <translation>資格情報の保存について</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="331"/>
        <location filename="../../wizard/gui/add_org_wizard.py" line="349"/>
        <location filename="../../wizard/gui/add_org_wizard.py" line="432"/>
        <location filename="../../wizard/gui/reauth_dialog.py" line="132"/>
        <source>Sign in</source>
        <translation>サインイン</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="332"/>
        <source>Sign in with your work account.</source>
        <translation>職場のアカウントでサインインしてください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="334"/>
        <location filename="../../wizard/gui/reauth_dialog.py" line="68"/>
        <source>Sign in &amp;here (sandbox sign-in page)</source>
        <translation>ここでサインイン (サンドボックスのサインイン ページ)(&amp;H)</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="335"/>
        <location filename="../../wizard/gui/reauth_dialog.py" line="69"/>
        <source>Sign in here</source>
        <translation>ここでサインイン</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="335"/>
        <location filename="../../wizard/gui/reauth_dialog.py" line="69"/>
        <source>Sign in inside this app with a user name and password.</source>
        <translation>このアプリ内でユーザー名とパスワードを使ってサインインします。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="336"/>
        <location filename="../../wizard/gui/reauth_dialog.py" line="70"/>
        <source>Sign in with my &amp;web browser</source>
        <translation>Web ブラウザーでサインイン(&amp;W)</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="337"/>
        <location filename="../../wizard/gui/reauth_dialog.py" line="71"/>
        <source>Sign in with my web browser</source>
        <translation>Web ブラウザーでサインイン</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="338"/>
        <location filename="../../wizard/gui/reauth_dialog.py" line="72"/>
        <source>Opens your browser; come back here when you have signed in.</source>
        <translation>ブラウザーが開きます。サインインが終わったらこの画面に戻ってください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="339"/>
        <location filename="../../wizard/gui/reauth_dialog.py" line="73"/>
        <source>Sign in with a &amp;code on another device</source>
        <translation>別のデバイスでコードを使ってサインイン(&amp;C)</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="340"/>
        <location filename="../../wizard/gui/reauth_dialog.py" line="74"/>
        <source>Sign in with a code</source>
        <translation>コードを使ってサインイン</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="341"/>
        <location filename="../../wizard/gui/reauth_dialog.py" line="75"/>
        <source>Shows a code to enter on any device; useful over the phone with your helpdesk.</source>
        <translation>任意のデバイスで入力するコードを表示します。ヘルプデスクと電話でやり取りするときに便利です。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="348"/>
        <location filename="../../wizard/gui/dialogs.py" line="623"/>
        <location filename="../../wizard/gui/reauth_dialog.py" line="131"/>
        <source>&amp;Sign in</source>
        <translation>サインイン(&amp;S)</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="349"/>
        <location filename="../../wizard/gui/reauth_dialog.py" line="132"/>
        <source>Start signing in.</source>
        <translation>サインインを開始します。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="357"/>
        <source>Stop signing in</source>
        <translation>サインインを中止</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="357"/>
        <source>Stop waiting for the sign-in.</source>
        <translation>サインインを待つのをやめます。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="371"/>
        <location filename="../../wizard/gui/reauth_dialog.py" line="122"/>
        <source>Sign-in status</source>
        <translation>サインインの状態</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="386"/>
        <location filename="../../wizard/gui/reauth_dialog.py" line="266"/>
        <source>Signing in was stopped.</source>
        <translation>サインインを中止しました。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="399"/>
        <source>Waiting for you to sign in…</source>
        <translation>サインインを待っています…</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="411"/>
        <location filename="../../wizard/gui/reauth_dialog.py" line="201"/>
        <source>Asking for a code…</source>
        <translation>コードを要求しています…</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="417"/>
        <location filename="../../wizard/gui/reauth_dialog.py" line="228"/>
        <source>Waiting for you to sign in on the other device…</source>
        <translation>別のデバイスでのサインインを待っています…</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="424"/>
        <location filename="../../wizard/gui/reauth_dialog.py" line="200"/>
        <source>Continue in your web browser…</source>
        <translation>Web ブラウザーで続行してください…</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="432"/>
        <source>Sign in to your organization&apos;s account.</source>
        <translation>組織のアカウントにサインインしてください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="441"/>
        <source>Signing in as {user}…</source>
        <translation>{user} としてサインインしています…</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="461"/>
        <location filename="../../wizard/gui/reauth_dialog.py" line="249"/>
        <source>Signed in as {user}.</source>
        <translation>{user} としてサインインしました。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="473"/>
        <location filename="../../wizard/gui/reauth_dialog.py" line="270"/>
        <source>Sign-in failed: {message} {fix}</source>
        <translation>サインインに失敗しました: {message} {fix}</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="516"/>
        <source>Choose organizations</source>
        <translation>組織の選択</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="517"/>
        <source>Select one or more organizations to add. Disabled organizations cannot be added.</source>
        <translation>追加する組織を 1 つ以上選択してください。無効な組織は追加できません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="520"/>
        <source>Search by name, unique name or URL</source>
        <translation>名前、一意の名前、URL で検索</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="522"/>
        <source>Search organizations</source>
        <translation>組織の検索</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="523"/>
        <source>&amp;Search:</source>
        <translation>検索(&amp;S):</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="545"/>
        <source>Your organizations</source>
        <translation>あなたの組織</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="545"/>
        <source>Press Space to select or clear an organization.</source>
        <translation>Space キーで組織の選択と解除を切り替えます。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="551"/>
        <location filename="../../wizard/gui/models.py" line="56"/>
        <source>Status</source>
        <translation>状態</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="558"/>
        <source>Finding your organizations…</source>
        <translation>組織を検索しています…</translation>
    </message>
    <message numerus="yes">
        <location filename="../../wizard/gui/add_org_wizard.py" line="568"/>
        <source>%n organization(s) found.</source>
        <translation>
            <numerusform>%n 件の組織が見つかりました。</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="569"/>
        <source>You do not belong to any organization in this cloud.</source>
        <translation>このクラウドで所属している組織はありません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="605"/>
        <source>Connecting</source>
        <translation>接続中</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="606"/>
        <source>Checking each step of the connection.</source>
        <translation>接続の各ステップを確認しています。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="613"/>
        <source>Connection steps</source>
        <translation>接続のステップ</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="619"/>
        <source>Connection result</source>
        <translation>接続結果</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="355"/>
        <location filename="../../wizard/gui/add_org_wizard.py" line="621"/>
        <source>S&amp;top</source>
        <translation>中止(&amp;T)</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="223"/>
        <source>Asking the organization how it signs you in. This takes a moment.</source>
        <translation>組織にサインインの方法を問い合わせています。しばらくお待ちください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="255"/>
        <source>Could not reach the organization at “{typed}”: {message}
{fix}
Go Back to correct the address.</source>
        <translation>「{typed}」の組織に接続できませんでした: {message}
{fix}
[戻る] でアドレスを修正してください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="622"/>
        <source>Stop connecting</source>
        <translation>接続を中止</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="623"/>
        <source>Cancel connecting; you can go Back and change your input.</source>
        <translation>接続を取り消します。[戻る] で入力を変更できます。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="628"/>
        <location filename="../../wizard/gui/dialogs.py" line="116"/>
        <source>Fix the problem</source>
        <translation>問題を修正</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="678"/>
        <source>Connected. Choose Next to review.</source>
        <translation>接続しました。[次へ] を選んで内容を確認してください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="685"/>
        <source>Connect</source>
        <translation>接続</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="686"/>
        <source>The step &quot;{step}&quot; failed: {message}
How to fix it: {fix}
Choose Back to correct your input.</source>
        <translation>ステップ「{step}」が失敗しました: {message}
解決方法: {fix}
[戻る] を選んで入力を修正してください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="688"/>
        <location filename="../../wizard/gui/dialogs.py" line="266"/>
        <location filename="../../wizard/gui/reauth_dialog.py" line="252"/>
        <source>see Details</source>
        <translation>詳細を参照してください</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="698"/>
        <source>Go back to the page where you can correct it.</source>
        <translation>修正できるページに戻ります。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="731"/>
        <source>Stopped. Choose Back to change your input, or Cancel to close.</source>
        <translation>中止しました。[戻る] で入力を変更するか、[キャンセル] で閉じてください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="746"/>
        <source>Ready to add</source>
        <translation>追加の準備ができました</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="747"/>
        <source>Choose Finish to save. Nothing has been saved yet.</source>
        <translation>[完了] を選ぶと保存されます。まだ何も保存されていません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="755"/>
        <source>Summary</source>
        <translation>概要</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="764"/>
        <source>The organization that synchronizes appointments, contacts and tasks with your mailbox.</source>
        <translation>予定、連絡先、タスクをメールボックスと同期する組織です。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="765"/>
        <source>S&amp;ynchronizing organization:</source>
        <translation>同期する組織(&amp;Y):</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="774"/>
        <location filename="../../wizard/gui/dialogs.py" line="112"/>
        <location filename="../../wizard/gui/sync_dialogs.py" line="359"/>
        <source>Problem</source>
        <translation>問題</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="777"/>
        <source>Add &amp;without saving credentials</source>
        <translation>資格情報を保存せずに追加(&amp;W)</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="779"/>
        <source>Add without saving credentials</source>
        <translation>資格情報を保存せずに追加</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="780"/>
        <source>Add the organization now; you are asked for the password next time.</source>
        <translation>今すぐ組織を追加します。次回はパスワードを尋ねられます。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="798"/>
        <source>• {name} ({url}), signed in as {user}</source>
        <translation>• {name} ({url})、サインイン ユーザー: {user}</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="799"/>
        <location filename="../../wizard/gui/dialogs.py" line="448"/>
        <source>(none)</source>
        <translation>(なし)</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="802"/>
        <source>Already in your list as {name}; it will be updated.</source>
        <translation>{name} として一覧にすでにあります。更新されます。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="805"/>
        <source>Warning: {text}</source>
        <translation>警告: {text}</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="814"/>
        <source>{name} will become your synchronizing organization.</source>
        <translation>{name} が同期する組織になります。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="819"/>
        <source>Your credentials will not be saved: this computer has no secure keyring.</source>
        <translation>資格情報は保存されません: このコンピューターには安全なキーリングがありません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="821"/>
        <source>Your credentials will be saved in the system keyring.</source>
        <translation>資格情報はシステムのキーリングに保存されます。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="822"/>
        <source>Your credentials will not be saved.</source>
        <translation>資格情報は保存されません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="824"/>
        <source>This computer has no secure keyring: your sign-in is kept only until you close the app.</source>
        <translation>このコンピューターには安全なキーリングがありません。サインインはアプリを閉じるまでしか保持されません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="859"/>
        <source>Add Organization</source>
        <translation>組織の追加</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="873"/>
        <source>&lt; &amp;Back</source>
        <translation>&lt; 戻る(&amp;B)</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="874"/>
        <source>&amp;Next &gt;</source>
        <translation>次へ(&amp;N) &gt;</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="875"/>
        <source>&amp;Finish</source>
        <translation>完了(&amp;F)</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="876"/>
        <source>Cancel</source>
        <translation>キャンセル</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="925"/>
        <source>The organization was not added</source>
        <translation>組織は追加されませんでした</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="70"/>
        <source>Properties of {name}</source>
        <translation>{name} のプロパティ</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="75"/>
        <location filename="../../wizard/gui/models.py" line="55"/>
        <source>Display name</source>
        <translation>表示名</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="75"/>
        <source>The name shown for this organization.</source>
        <translation>この組織に表示される名前です。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="76"/>
        <source>&amp;Display name:</source>
        <translation>表示名(&amp;D):</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="79"/>
        <source>Unique name:</source>
        <translation>一意の名前:</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="79"/>
        <source>URL:</source>
        <translation>URL:</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="80"/>
        <source>User:</source>
        <translation>ユーザー:</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="80"/>
        <location filename="../../wizard/gui/models.py" line="86"/>
        <source>(not signed in)</source>
        <translation>(サインインしていません)</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="81"/>
        <source>Version:</source>
        <translation>バージョン:</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="81"/>
        <source>unknown</source>
        <translation>不明</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="88"/>
        <source>&amp;Save credentials so I am not asked again</source>
        <translation>資格情報を保存して次回から入力を省略する(&amp;S)</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="93"/>
        <source>This organization signs you in with your work account; there is no password to save.</source>
        <translation>この組織では職場のアカウントでサインインするため、保存するパスワードはありません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="96"/>
        <source>Keep the password in the system keyring. When unchecked, nothing is stored.</source>
        <translation>パスワードをシステムのキーリングに保存します。オフの場合、何も保存されません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="97"/>
        <source>&amp;Keep me connected to this organization</source>
        <translation>この組織への接続を維持する(&amp;K)</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="99"/>
        <source>Keep connected</source>
        <translation>接続を維持する</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="100"/>
        <source>Stay signed in between sessions, using the sign-in kept in the keyring.</source>
        <translation>キーリングに保存されたサインイン情報を使い、セッション間でサインイン状態を維持します。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="101"/>
        <source>&amp;Forget saved credentials</source>
        <translation>保存された資格情報を削除(&amp;F)</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="103"/>
        <source>Forget saved credentials</source>
        <translation>保存された資格情報を削除</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="104"/>
        <source>Delete the password saved for this organization from the keyring.</source>
        <translation>この組織用に保存されたパスワードをキーリングから削除します。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="211"/>
        <source>Test connection to {name}</source>
        <translation>{name} への接続テスト</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="214"/>
        <location filename="../../wizard/gui/dialogs.py" line="290"/>
        <source>Testing the connection…</source>
        <translation>接続をテストしています…</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="216"/>
        <source>Test result</source>
        <translation>テスト結果</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="220"/>
        <source>The test is running.</source>
        <translation>テストを実行しています。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="223"/>
        <location filename="../../wizard/gui/reauth_dialog.py" line="125"/>
        <source>Connection test steps</source>
        <translation>接続テストのステップ</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="251"/>
        <source>The test was cancelled.</source>
        <translation>テストは取り消されました。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="254"/>
        <source>Connection test failed</source>
        <translation>接続テストに失敗しました</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="265"/>
        <location filename="../../wizard/gui/reauth_dialog.py" line="251"/>
        <source>The step &quot;{step}&quot; failed: {message}
How to fix it: {fix}</source>
        <translation>ステップ「{step}」が失敗しました: {message}
解決方法: {fix}</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="268"/>
        <source>Connected, with warnings. {message} {fix}</source>
        <translation>接続しましたが、警告があります。{message} {fix}</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="271"/>
        <location filename="../../wizard/gui/reauth_dialog.py" line="254"/>
        <source>All steps passed. The organization is reachable.</source>
        <translation>すべてのステップに成功しました。組織に接続できます。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/render.py" line="50"/>
        <source>&amp;Finish the switch</source>
        <translation>切り替えを完了する(&amp;F)</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="40"/>
        <source>Read every mailbox record again and change what is still to do.</source>
        <translation>すべてのメールボックス レコードを読み直し、残っている変更だけを行います。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/render.py" line="51"/>
        <source>Set &amp;None in the other organizations</source>
        <translation>ほかの組織を「なし」にする(&amp;N)</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="41"/>
        <source>Set appointments, contacts and tasks to None in your mailbox record of every organization but the synchronizing one.</source>
        <translation>同期する組織以外のすべての組織で、あなたのメールボックス レコードの予定・連絡先・タスクを「なし」にします。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="314"/>
        <source>Change synchronizing organization</source>
        <translation>同期する組織の変更</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="316"/>
        <source>Do you want to change your synchronizing organization?</source>
        <translation>同期する組織を変更しますか?</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="322"/>
        <location filename="../../wizard/gui/sync_dialogs.py" line="646"/>
        <source>Question</source>
        <translation>確認</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="332"/>
        <source>How {name} synchronizes appointments, contacts and tasks</source>
        <translation>{name} の予定・連絡先・タスクの同期方法</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="334"/>
        <source>Synchronization method</source>
        <translation>同期方法</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="336"/>
        <source>&amp;Server-side synchronization: Dynamics 365 synchronizes them with your Exchange mailbox</source>
        <translation>サーバー側同期(&amp;S): Dynamics 365 が Exchange メールボックスと同期します</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="338"/>
        <source>Server-side synchronization</source>
        <translation>サーバー側同期</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="339"/>
        <source>Dynamics 365 synchronizes appointments, contacts and tasks with your Exchange mailbox; this computer does not.</source>
        <translation>Dynamics 365 が予定・連絡先・タスクを Exchange メールボックスと同期します。このコンピューターは同期しません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="341"/>
        <source>This &amp;computer: this app synchronizes them with the mailbox on this computer</source>
        <translation>このコンピューター(&amp;C): このアプリがこのコンピューターのメールボックスと同期します</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="343"/>
        <source>This computer</source>
        <translation>このコンピューター</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="344"/>
        <source>This app&apos;s synchronization engine synchronizes appointments, contacts and tasks; the organization&apos;s record is set to Dynamics 365 for Outlook.</source>
        <translation>このアプリの同期エンジンが予定・連絡先・タスクを同期します。組織のレコードは Dynamics 365 for Outlook に設定されます。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="364"/>
        <source>Your Exchange mailbox synchronizes with {other} now. To take it for {target}, Test &amp; Enable runs with the option below, as Microsoft advises when the synchronizing organization changes.</source>
        <translation>現在、Exchange メールボックスは {other} と同期しています。{target} に切り替えるため、同期する組織を変えるときの Microsoft の推奨どおり、下のオプション付きでTest &amp; Enable (Test &amp; Enable)を実行します。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="369"/>
        <source>If Test &amp; Enable says that your mailbox is configured with another organization, choose the option below.</source>
        <translation>Test &amp; Enable (Test &amp; Enable)で、メールボックスが別の組織に構成されていると表示された場合は、下のオプションを選んでください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="448"/>
        <source>From: {name}</source>
        <translation>変更前: {name}</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="449"/>
        <source>To: {name}</source>
        <translation>変更後: {name}</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="451"/>
        <source>{name} already synchronizes with your mailbox.</source>
        <translation>{name} は既にメールボックスと同期しています。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="453"/>
        <source>{name} will stop synchronizing appointments, contacts and tasks with your mailbox. You stay connected to it.</source>
        <translation>{name} は予定、連絡先、タスクのメールボックスとの同期を停止します。接続は維持されます。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="456"/>
        <source>{name} will start synchronizing appointments, contacts and tasks with your mailbox.</source>
        <translation>{name} が予定、連絡先、タスクのメールボックスとの同期を開始します。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="463"/>
        <source>never</source>
        <translation>なし</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="468"/>
        <source>In your mailbox record of each organization:</source>
        <translation>各組織のあなたのメールボックス レコード:</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="473"/>
        <source>Your e-mail address {email} is not approved in {name} yet: an administrator must approve it (Approve Email) before server-side synchronization works.</source>
        <translation>メール アドレス {email} は {name} でまだ承認されていません。サーバー側同期が動作するには、管理者が承認する必要があります (メールの承認)。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="477"/>
        <source>An earlier switch to {name} is not finished; this switch takes its place.</source>
        <translation>以前の {name} への切り替えが完了していません。この切り替えがそれに代わります。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="481"/>
        <location filename="../../wizard/gui/sync_dialogs.py" line="663"/>
        <source>What will change</source>
        <translation>変更内容</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="703"/>
        <source>Browser sign-in</source>
        <translation>ブラウザーでのサインイン</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="709"/>
        <source>Sign-in address</source>
        <translation>サインインのアドレス</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="709"/>
        <source>Open this address in a web browser to sign in.</source>
        <translation>このアドレスを Web ブラウザーで開いてサインインします。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="711"/>
        <source>Copy &amp;address</source>
        <translation>アドレスをコピー(&amp;A)</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="712"/>
        <source>Copy address</source>
        <translation>アドレスをコピー</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="712"/>
        <source>Copy the sign-in address to the clipboard.</source>
        <translation>サインインのアドレスをクリップボードにコピーします。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="716"/>
        <source>Sign in with a &amp;code instead</source>
        <translation>代わりにコードでサインイン(&amp;C)</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="718"/>
        <location filename="../../wizard/gui/render.py" line="54"/>
        <source>Sign in with a code instead</source>
        <translation>代わりにコードでサインイン</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="719"/>
        <source>Stop waiting for the browser and show a code to enter on any device.</source>
        <translation>ブラウザーを待つのをやめ、任意のデバイスで入力するコードを表示します。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="730"/>
        <source>Continue in your web browser. If no sign-in page appeared, open this address in a browser yourself:</source>
        <translation>Web ブラウザーで続けてください。サインインのページが表示されない場合は、このアドレスをご自身でブラウザーで開いてください:</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="733"/>
        <source>No web browser could be opened. Open this address in a web browser yourself, or sign in with a code on another device instead:</source>
        <translation>Web ブラウザーを開けませんでした。このアドレスをご自身で Web ブラウザーで開くか、代わりに別のデバイスでコードを使ってサインインしてください:</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="359"/>
        <location filename="../../wizard/gui/sync_dialogs.py" line="190"/>
        <source>Your mailbox is set to synchronize with another organization, {other}. As long as that is so, nothing will synchronize with {target}. If you are sure this mailbox should synchronize with {target}, choose the option below.</source>
        <translation>メールボックスは別の組織 {other} と同期するように設定されています。この状態では {target} とは何も同期されません。このメールボックスを {target} と同期させてよいことが確実な場合は、下のオプションを選択してください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="43"/>
        <source>Sign in to this organization again.</source>
        <translation>この組織にもう一度サインインします。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="44"/>
        <location filename="../../wizard/gui/dialogs.py" line="45"/>
        <source>Sign in to this organization again with your password.</source>
        <translation>パスワードを使ってこの組織にもう一度サインインします。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="46"/>
        <source>Sign in to this organization again with a code on another device.</source>
        <translation>別のデバイスでコードを使ってこの組織にもう一度サインインします。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="47"/>
        <source>Run the connection test again.</source>
        <translation>接続テストをもう一度実行します。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="48"/>
        <source>Unlock the keyring, then run the connection test again.</source>
        <translation>キーリングのロックを解除してから、接続テストをもう一度実行します。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="49"/>
        <source>Show the synchronizing organization&apos;s Synchronization settings.</source>
        <translation>同期する組織の同期設定を表示します。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="50"/>
        <source>Collect facts for your helpdesk.</source>
        <translation>ヘルプデスク向けの情報を集めます。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="362"/>
        <location filename="../../wizard/gui/main_window.py" line="728"/>
        <source>another organization</source>
        <translation>別の組織</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="373"/>
        <location filename="../../wizard/gui/sync_dialogs.py" line="187"/>
        <location filename="../../wizard/gui/sync_dialogs.py" line="194"/>
        <source>Mailbox set to another organization</source>
        <translation>メールボックスが別の組織に設定されています</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="375"/>
        <location filename="../../wizard/gui/sync_dialogs.py" line="196"/>
        <source>Sync items from this organization only, even if the mailbox was set to sync with a different organization</source>
        <translation>メールボックスが別の組織と同期するように設定されていても、この組織のアイテムのみを同期する</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="377"/>
        <location filename="../../wizard/gui/sync_dialogs.py" line="198"/>
        <source>Sync from this organization only</source>
        <translation>この組織からのみ同期する</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="378"/>
        <location filename="../../wizard/gui/sync_dialogs.py" line="199"/>
        <source>Rewrite the mailbox&apos;s record so it synchronizes with this organization.</source>
        <translation>メールボックスの記録を書き換えて、この組織と同期するようにします。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="383"/>
        <location filename="../../wizard/gui/sync_dialogs.py" line="201"/>
        <source>&amp;When would I use this?</source>
        <translation>どのような場合に使いますか?(&amp;W)</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="385"/>
        <location filename="../../wizard/gui/sync_dialogs.py" line="203"/>
        <source>When would I use this?</source>
        <translation>どのような場合に使いますか?</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="385"/>
        <location filename="../../wizard/gui/sync_dialogs.py" line="203"/>
        <source>Show when this option is the right choice.</source>
        <translation>このオプションを選ぶべき状況を表示します。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="388"/>
        <location filename="../../wizard/gui/sync_dialogs.py" line="206"/>
        <source>Use this option in one of these situations:
• An administrator of another organization set up the same mailbox and overwrote its record.
• The mailbox&apos;s record is in an unknown state and synchronization keeps failing.
• You were moved (migrated) from another organization to this one.</source>
        <translation>次のいずれかの状況でこのオプションを使用します:
• 別の組織の管理者が同じメールボックスを設定し、その記録を上書きした。
• メールボックスの記録の状態が不明で、同期が失敗し続ける。
• 別の組織からこの組織に移行 (移動) した。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="394"/>
        <location filename="../../wizard/gui/sync_dialogs.py" line="211"/>
        <source>When to use this option</source>
        <translation>このオプションを使う状況</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="404"/>
        <location filename="../../wizard/gui/switch_dialogs.py" line="198"/>
        <location filename="../../wizard/gui/sync_dialogs.py" line="104"/>
        <location filename="../../wizard/gui/sync_dialogs.py" line="215"/>
        <source>&amp;Details</source>
        <translation>詳細(&amp;D)</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="406"/>
        <location filename="../../wizard/gui/dialogs.py" line="411"/>
        <location filename="../../wizard/gui/switch_dialogs.py" line="201"/>
        <location filename="../../wizard/gui/switch_dialogs.py" line="206"/>
        <location filename="../../wizard/gui/switch_dialogs.py" line="234"/>
        <location filename="../../wizard/gui/sync_dialogs.py" line="107"/>
        <location filename="../../wizard/gui/sync_dialogs.py" line="113"/>
        <location filename="../../wizard/gui/sync_dialogs.py" line="217"/>
        <location filename="../../wizard/gui/sync_dialogs.py" line="220"/>
        <source>Details</source>
        <translation>詳細</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="406"/>
        <source>Show the plan as the engine wrote it.</source>
        <translation>エンジンが作成した計画をそのまま表示します。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="459"/>
        <source>The mailbox on this computer is not set to synchronize with any organization yet.</source>
        <translation>このコンピューターのメールボックスは、まだどの組織とも同期するように設定されていません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="464"/>
        <source>The mailbox on this computer is set to synchronize with {name} (last synchronized: {when}).</source>
        <translation>このコンピューターのメールボックスは {name} と同期するように設定されています (最終同期: {when})。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="501"/>
        <source>Diagnostics</source>
        <translation>診断</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="504"/>
        <source>These facts help your helpdesk. They contain no passwords or tokens.</source>
        <translation>これらの情報はヘルプデスクの役に立ちます。パスワードやトークンは含まれていません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="508"/>
        <source>Item</source>
        <translation>項目</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="508"/>
        <source>Value</source>
        <translation>値</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="517"/>
        <source>Diagnostic facts</source>
        <translation>診断情報</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="528"/>
        <source>&amp;Copy to clipboard</source>
        <translation>クリップボードにコピー(&amp;C)</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="529"/>
        <source>Copy to clipboard</source>
        <translation>クリップボードにコピー</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="529"/>
        <source>Copy these facts as text.</source>
        <translation>これらの情報をテキストとしてコピーします。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="547"/>
        <location filename="../../wizard/gui/sync_dialogs.py" line="706"/>
        <source>Save diagnostics bundle</source>
        <translation>診断バンドルの保存</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="548"/>
        <source>Zip files (*.zip)</source>
        <translation>Zip ファイル (*.zip)</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="561"/>
        <source>Collecting diagnostics… (this tests each connection)</source>
        <translation>診断情報を収集しています… (各接続をテストします)</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="570"/>
        <source>Saved to {path}. Send this file to your helpdesk; it contains no passwords or tokens.</source>
        <translation>{path} に保存しました。このファイルをヘルプデスクに送ってください。パスワードやトークンは含まれていません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="579"/>
        <source>The diagnostics bundle was not saved</source>
        <translation>診断バンドルは保存されませんでした</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="602"/>
        <source>name@contoso.com or DOMAIN\name</source>
        <translation>name@contoso.com または DOMAIN\name</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="608"/>
        <location filename="../../wizard/gui/reauth_dialog.py" line="95"/>
        <source>Verification code</source>
        <translation>確認コード</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="609"/>
        <source>The code from your authenticator app, when your organization asks for one.</source>
        <translation>組織から求められた場合に、認証アプリに表示されるコードです。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="611"/>
        <location filename="../../wizard/gui/reauth_dialog.py" line="97"/>
        <source>&amp;Verification code:</source>
        <translation>確認コード(&amp;V):</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="620"/>
        <source>Sign-in problem</source>
        <translation>サインインの問題</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="656"/>
        <source>Device sign-in instructions</source>
        <translation>デバイス サインインの手順</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="669"/>
        <source>Device code</source>
        <translation>デバイス コード</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="671"/>
        <source>&amp;Copy code</source>
        <translation>コードをコピー(&amp;C)</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="672"/>
        <source>Copy code</source>
        <translation>コードをコピー</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="672"/>
        <source>Copy the device code to the clipboard.</source>
        <translation>デバイス コードをクリップボードにコピーします。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="681"/>
        <source>On any device, open {url} and enter this code. This page continues when you have signed in.</source>
        <translation>任意のデバイスで {url} を開き、このコードを入力してください。サインインが完了すると、このページは自動的に続行します。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="70"/>
        <source>Configure Organizations</source>
        <translation>組織の構成</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="108"/>
        <source>These are the organizations this computer connects to. One of them synchronizes with your mailbox.</source>
        <translation>このコンピューターが接続する組織の一覧です。そのうち 1 つがメールボックスと同期します。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="111"/>
        <source>About this window</source>
        <translation>このウィンドウについて</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="73"/>
        <location filename="../../wizard/gui/main_window.py" line="74"/>
        <location filename="../../wizard/gui/main_window.py" line="126"/>
        <source>Loading…</source>
        <translation>読み込み中…</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="119"/>
        <source>Credentials are not saved</source>
        <translation>資格情報は保存されません</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="132"/>
        <source>Synchronizing organization:</source>
        <translation>同期する組織:</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="763"/>
        <location filename="../../wizard/gui/main_window.py" line="132"/>
        <location filename="../../wizard/gui/models.py" line="79"/>
        <source>Synchronizing organization</source>
        <translation>同期する組織</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="133"/>
        <source>Exchange mailbox synchronizes with:</source>
        <translation>Exchange メールボックスの同期先:</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="134"/>
        <source>Organization that holds your Exchange mailbox</source>
        <translation>Exchange メールボックスを保持している組織</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="135"/>
        <source>Mailbox set to synchronize with:</source>
        <translation>メールボックスの同期先:</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="135"/>
        <source>Mailbox stamp</source>
        <translation>メールボックスのスタンプ</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="136"/>
        <source>Last synchronization:</source>
        <translation>最終同期:</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="136"/>
        <source>Last synchronization</source>
        <translation>最終同期</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="155"/>
        <source>Organizations</source>
        <translation>組織</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="156"/>
        <source>The configured organizations. Select one to act on it.</source>
        <translation>構成済みの組織です。操作する組織を選択してください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="163"/>
        <source>&amp;Add…</source>
        <translation>追加(&amp;A)…</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="164"/>
        <source>Add an organization by address or by signing in to Dynamics 365 (online).</source>
        <translation>アドレスを指定するか、Dynamics 365 (オンライン) にサインインして組織を追加します。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="165"/>
        <source>&amp;Delete</source>
        <translation>削除(&amp;D)</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="166"/>
        <source>Remove the selected organization from this computer.</source>
        <translation>選択した組織をこのコンピューターから削除します。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="167"/>
        <source>&amp;Properties…</source>
        <translation>プロパティ(&amp;P)…</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="168"/>
        <source>Change the display name, saved credentials and connection options.</source>
        <translation>表示名、保存された資格情報、接続オプションを変更します。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="169"/>
        <source>&amp;Test Connection</source>
        <translation>接続テスト(&amp;T)</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="170"/>
        <source>Check each step of connecting and show how to fix a failure.</source>
        <translation>接続の各ステップを確認し、失敗した場合の解決方法を表示します。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="171"/>
        <source>S&amp;ynchronize</source>
        <translation>同期(&amp;Y)</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="172"/>
        <source>Make the selected organization the one that synchronizes with your mailbox.</source>
        <translation>選択した組織をメールボックスと同期する組織にします。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="173"/>
        <source>Synchronize &amp;Now</source>
        <translation>今すぐ同期(&amp;N)</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="174"/>
        <source>Synchronize your mailbox with the synchronizing organization now.</source>
        <translation>同期する組織とメールボックスを今すぐ同期します。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="175"/>
        <source>Synchronization &amp;Settings…</source>
        <translation>同期の設定(&amp;S)…</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="177"/>
        <source>Show the synchronizing organization&apos;s Synchronization settings, fields and filters.</source>
        <translation>同期する組織の同期設定、フィールド、フィルターを表示します。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="178"/>
        <source>Sign &amp;in…</source>
        <translation>サインイン(&amp;I)…</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="179"/>
        <source>Sign in to the selected organization again (for example after signing out).</source>
        <translation>選択した組織にもう一度サインインします (サインアウトした後など)。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="180"/>
        <source>Sign &amp;out</source>
        <translation>サインアウト(&amp;O)</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="181"/>
        <source>Sign out of the selected organization and remove its saved credentials.</source>
        <translation>選択した組織からサインアウトし、保存された資格情報を削除します。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="182"/>
        <source>Dia&amp;gnostics…</source>
        <translation>診断(&amp;G)…</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="183"/>
        <source>Show facts that help your helpdesk.</source>
        <translation>ヘルプデスクの役に立つ情報を表示します。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="184"/>
        <source>&amp;Refresh</source>
        <translation>最新の情報に更新(&amp;R)</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="185"/>
        <source>Reload the list and check each organization again.</source>
        <translation>一覧を再読み込みし、各組織をもう一度確認します。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="186"/>
        <source>&amp;Close</source>
        <translation>閉じる(&amp;C)</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="187"/>
        <source>Close this window.</source>
        <translation>このウィンドウを閉じます。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="198"/>
        <location filename="../../wizard/gui/sync_dialogs.py" line="260"/>
        <source>&amp;Organization</source>
        <translation>組織(&amp;O)</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="205"/>
        <source>&amp;Help</source>
        <translation>ヘルプ(&amp;H)</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="207"/>
        <source>&amp;About</source>
        <translation>バージョン情報(&amp;A)</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="231"/>
        <source>Loading organizations…</source>
        <translation>組織を読み込んでいます…</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="318"/>
        <location filename="../../wizard/gui/main_window.py" line="320"/>
        <source>Could not start</source>
        <translation>起動できませんでした</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="319"/>
        <source>The engine could not start.</source>
        <translation>エンジンを起動できませんでした。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="359"/>
        <source>{count} organization(s) configured.</source>
        <extracomment>The dialogs&apos; modules. Importing one builds its Qt classes&apos; Python enums: 35 ms that the first click on Add would otherwise spend on this thread.</extracomment>
        <translation>{count} 件の組織が構成されています。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="410"/>
        <source>Not read yet</source>
        <translation>まだ読み取っていません</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="414"/>
        <source>(not every organization could be read)</source>
        <translation>(読み取れなかった組織があります)</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="417"/>
        <source>None of your organizations</source>
        <translation>あなたの組織のいずれでもありません</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="419"/>
        <source>Unknown: not every organization could be read</source>
        <translation>不明: 読み取れなかった組織があります</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="420"/>
        <source>None. Select an organization and choose Synchronize.</source>
        <translation>なし。組織を選択して [同期] を選んでください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="424"/>
        <source>No organization yet</source>
        <translation>まだ組織はありません</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="429"/>
        <source>Never</source>
        <translation>なし</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="448"/>
        <location filename="../../wizard/gui/main_window.py" line="458"/>
        <source>Delete organization</source>
        <translation>組織の削除</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="449"/>
        <source>Do you want to remove {name} from this computer?</source>
        <translation>{name} をこのコンピューターから削除しますか?</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="452"/>
        <source>Its saved credentials and sign-in are deleted too. The organization itself is not changed.</source>
        <translation>保存された資格情報とサインイン情報も削除されます。組織自体は変更されません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="454"/>
        <source>It is your synchronizing organization: afterwards no organization synchronizes until you choose one.</source>
        <translation>これは同期する組織です。削除後は、新たに選択するまでどの組織も同期しません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="467"/>
        <source>{name} was removed.</source>
        <translation>{name} を削除しました。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="519"/>
        <location filename="../../wizard/gui/switch_dialogs.py" line="68"/>
        <location filename="../../wizard/gui/switch_dialogs.py" line="184"/>
        <source>Reading your mailbox records in the organizations…</source>
        <translation>各組織のメールボックス レコードを読み取っています…</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="542"/>
        <source>{name} is now your synchronizing organization.</source>
        <translation>{name} が同期する組織になりました。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="545"/>
        <source>The switch to {name} is not finished.</source>
        <translation>{name} への切り替えは完了していません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="551"/>
        <source>The synchronizing organization was not changed</source>
        <translation>同期する組織は変更されませんでした</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="561"/>
        <location filename="../../wizard/gui/main_window.py" line="570"/>
        <location filename="../../wizard/gui/main_window.py" line="582"/>
        <source>Finish the switch</source>
        <translation>切り替えの完了</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="562"/>
        <source>A switch of your synchronizing organization to {name} is not finished.</source>
        <translation>同期する組織の {name} への切り替えが完了していません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="566"/>
        <source>Finish it now? Every organization&apos;s mailbox record is read again first, and only what is still to do is changed.</source>
        <translation>今すぐ完了しますか? まず各組織のメールボックス レコードを読み直し、残っている変更だけを行います。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="583"/>
        <source>Finishing the switch of your synchronizing organization…</source>
        <translation>同期する組織の切り替えを完了しています…</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="596"/>
        <source>The switch was not finished</source>
        <translation>切り替えは完了しませんでした</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="611"/>
        <source>There are no other organizations.</source>
        <translation>ほかの組織はありません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="612"/>
        <source>Set None in the other organizations</source>
        <translation>ほかの組織を「なし」にする</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="620"/>
        <source>The other organizations were not changed</source>
        <translation>ほかの組織は変更されませんでした</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/reauth_dialog.py" line="51"/>
        <source>Sign in to {name}</source>
        <translation>{name} にサインイン</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/reauth_dialog.py" line="54"/>
        <source>Sign in to {name} again. Nothing else about the organization changes.</source>
        <translation>{name} にもう一度サインインします。組織のほかの設定は変わりません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/reauth_dialog.py" line="57"/>
        <source>About this dialog</source>
        <translation>このダイアログについて</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/reauth_dialog.py" line="64"/>
        <source>Address</source>
        <translation>アドレス</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/reauth_dialog.py" line="65"/>
        <source>Address:</source>
        <translation>アドレス:</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/reauth_dialog.py" line="95"/>
        <source>The code from your authenticator app, if asked.</source>
        <translation>求められた場合は、認証アプリのコード。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/reauth_dialog.py" line="190"/>
        <source>Enter your user name and password.</source>
        <translation>ユーザー名とパスワードを入力してください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/reauth_dialog.py" line="201"/>
        <source>Signing in…</source>
        <translation>サインインしています…</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/reauth_dialog.py" line="233"/>
        <source>Signed in. Testing the connection…</source>
        <translation>サインインしました。接続をテストしています…</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="661"/>
        <source>Signed out of {name}.</source>
        <translation>{name} からサインアウトしました。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="663"/>
        <source>Sign in to use this organization.</source>
        <translation>この組織を使用するにはサインインしてください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="704"/>
        <location filename="../../wizard/gui/sync_dialogs.py" line="160"/>
        <source>Synchronized with {name}.</source>
        <translation>{name} と同期しました。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="754"/>
        <source>The synchronization settings could not be read</source>
        <translation>同期の設定を読み込めませんでした</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="763"/>
        <source>Looking for the calendar, task list and address book…</source>
        <translation>カレンダー、タスク リスト、アドレス帳を探しています…</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="792"/>
        <source>The mailbox was chosen, but the first synchronization did not run: {message}</source>
        <translation>メールボックスは選択されましたが、最初の同期は実行されませんでした: {message}</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="796"/>
        <source>The mailbox was changed.</source>
        <translation>メールボックスを変更しました。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="818"/>
        <source>The settings were not changed</source>
        <translation>設定は変更されませんでした</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="822"/>
        <source>The synchronization settings were saved. They take effect at the next synchronization.</source>
        <translation>同期の設定を保存しました。次回の同期から有効になります。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="839"/>
        <source>Nothing was changed.</source>
        <translation>何も変更されていません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="843"/>
        <source>Contact addresses were switched. Backup: {path}</source>
        <translation>取引先担当者の住所を切り替えました。バックアップ: {path}</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="862"/>
        <source>About</source>
        <translation>バージョン情報</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="862"/>
        <source>d365-wizard {version}
Configure Dynamics 365 organizations and the one that synchronizes with your mailbox.</source>
        <translation>d365-wizard {version}
Dynamics 365 の組織と、メールボックスと同期する組織を構成します。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/models.py" line="26"/>
        <source>Not checked</source>
        <translation>未確認</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/models.py" line="27"/>
        <source>Checking…</source>
        <translation>確認中…</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/models.py" line="28"/>
        <source>Connected</source>
        <translation>接続済み</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/models.py" line="29"/>
        <source>Needs sign-in</source>
        <translation>サインインが必要</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/models.py" line="30"/>
        <source>MFA needed</source>
        <translation>多要素認証が必要</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/models.py" line="31"/>
        <source>Offline</source>
        <translation>オフライン</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/app.py" line="100"/>
        <source>d365-wizard cannot start</source>
        <translation>d365-wizard を起動できません</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/app.py" line="101"/>
        <location filename="../../wizard/gui/models.py" line="32"/>
        <location filename="../../wizard/gui/widgets.py" line="96"/>
        <source>Error</source>
        <translation>エラー</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/models.py" line="40"/>
        <source>Internet-facing (IFD)</source>
        <translation>インターネット接続 (IFD)</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/models.py" line="55"/>
        <source>Synchronizing</source>
        <translation>同期</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/models.py" line="55"/>
        <location filename="../../wizard/gui/models.py" line="162"/>
        <source>Unique name</source>
        <translation>一意の名前</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/models.py" line="55"/>
        <location filename="../../wizard/gui/models.py" line="162"/>
        <source>URL</source>
        <translation>URL</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/models.py" line="56"/>
        <source>Cloud / region</source>
        <translation>クラウド / リージョン</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/models.py" line="56"/>
        <source>User</source>
        <translation>ユーザー</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/models.py" line="79"/>
        <source>Not synchronizing</source>
        <translation>同期していません</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/models.py" line="80"/>
        <source>✔ Yes</source>
        <translation>✔ はい</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/models.py" line="162"/>
        <location filename="../../wizard/gui/sync_dialogs.py" line="676"/>
        <source>Organization</source>
        <translation>組織</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/models.py" line="162"/>
        <source>Region</source>
        <translation>リージョン</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/models.py" line="162"/>
        <source>Version</source>
        <translation>バージョン</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/models.py" line="173"/>
        <source>{name} (disabled)</source>
        <translation>{name} (無効)</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/models.py" line="176"/>
        <source>This organization is disabled and cannot be added.</source>
        <translation>この組織は無効になっているため追加できません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/models.py" line="213"/>
        <location filename="../../wizard/gui/switch_dialogs.py" line="196"/>
        <location filename="../../wizard/gui/switch_dialogs.py" line="237"/>
        <location filename="../../wizard/gui/sync_dialogs.py" line="102"/>
        <source>Result</source>
        <translation>結果</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/models.py" line="213"/>
        <source>Step</source>
        <translation>ステップ</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/models.py" line="213"/>
        <source>Message</source>
        <translation>メッセージ</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/models.py" line="213"/>
        <source>How to fix it</source>
        <translation>解決方法</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/models.py" line="219"/>
        <source>Running…</source>
        <translation>実行中…</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/models.py" line="219"/>
        <source>Passed</source>
        <translation>成功</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/models.py" line="220"/>
        <source>Failed</source>
        <translation>失敗</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/models.py" line="220"/>
        <source>Skipped</source>
        <translation>スキップ</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/models.py" line="221"/>
        <source>Warning</source>
        <translation>警告</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/models.py" line="221"/>
        <source>Waiting</source>
        <translation>待機中</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/models.py" line="267"/>
        <source>Not synchronized</source>
        <translation>同期しない</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/models.py" line="267"/>
        <source>To the mailbox</source>
        <translation>メールボックスへ</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/models.py" line="268"/>
        <source>To the organization</source>
        <translation>組織へ</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/models.py" line="268"/>
        <source>Both ways</source>
        <translation>双方向</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/models.py" line="290"/>
        <location filename="../../wizard/gui/sync_dialogs.py" line="667"/>
        <source>Field</source>
        <translation>フィールド</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/models.py" line="290"/>
        <source>Mailbox field</source>
        <translation>メールボックスのフィールド</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/models.py" line="290"/>
        <source>Organization column</source>
        <translation>組織の列</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/models.py" line="290"/>
        <source>Direction</source>
        <translation>方向</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/widgets.py" line="24"/>
        <source>Credentials cannot be saved: this computer has no secure keyring (such as GNOME Keyring or KWallet). You will be asked for your password each time.</source>
        <translation>資格情報を保存できません: このコンピューターには安全なキーリング (GNOME Keyring や KWallet など) がありません。毎回パスワードを尋ねられます。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/widgets.py" line="49"/>
        <source>Error code: {code}</source>
        <translation>エラー コード: {code}</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/widgets.py" line="76"/>
        <source>Something went wrong</source>
        <translation>問題が発生しました</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/widgets.py" line="145"/>
        <source>Steps</source>
        <translation>ステップ</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/widgets.py" line="145"/>
        <source>Each step of the connection with its result and how to fix a failure.</source>
        <translation>接続の各ステップとその結果、失敗した場合の解決方法です。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/services.py" line="68"/>
        <source>Organization address</source>
        <translation>組織のアドレス</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/services.py" line="68"/>
        <source>Name lookup (DNS)</source>
        <translation>名前解決 (DNS)</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/services.py" line="69"/>
        <source>Network connection</source>
        <translation>ネットワーク接続</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/services.py" line="69"/>
        <source>Secure connection (TLS certificate)</source>
        <translation>セキュリティで保護された接続 (TLS 証明書)</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/services.py" line="70"/>
        <source>Proxy</source>
        <translation>プロキシ</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/services.py" line="70"/>
        <source>Sign-in</source>
        <translation>サインイン</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/services.py" line="71"/>
        <source>Access to the organization (WhoAmI)</source>
        <translation>組織へのアクセス (WhoAmI)</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/services.py" line="71"/>
        <source>Dynamics 365 version</source>
        <translation>Dynamics 365 のバージョン</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/services.py" line="72"/>
        <source>Sync-to-Outlook privilege</source>
        <translation>Outlook への同期特権</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/services.py" line="72"/>
        <source>Mailbox synchronization method</source>
        <translation>メールボックスの同期方法</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/services.py" line="73"/>
        <source>Local mailbox stamp</source>
        <translation>ローカル メールボックスのスタンプ</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/services.py" line="73"/>
        <source>Exchange mailbox</source>
        <translation>Exchange メールボックス</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/services.py" line="74"/>
        <source>Switch of the synchronizing organization</source>
        <translation>同期する組織の切り替え</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/services.py" line="271"/>
        <source>Sign in again: this computer has no secure keyring, so your credentials and sign-in cannot be kept between sessions.</source>
        <extracomment>What signing in, discovering and connecting import (msal, keyring, requests and the engine parts on them), loaded ahead by :meth:`warm_up`.</extracomment>
        <translation>もう一度サインインしてください: このコンピューターには安全なキーリングがないため、資格情報とサインインをセッション間で保持できません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/services.py" line="418"/>
        <source>Step: {step}</source>
        <extracomment>How long a browser sign-in may take before it ends with a message (seconds).</extracomment>
        <translation>ステップ: {step}</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="190"/>
        <source>The sign-in page failed.</source>
        <translation>サインイン ページでエラーが発生しました。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="192"/>
        <source>Try again.</source>
        <translation>もう一度お試しください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="202"/>
        <source>Your organization requires multi-factor authentication.</source>
        <translation>組織では多要素認証が必要です。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="204"/>
        <source>Enter the verification code from your authenticator app.</source>
        <translation>認証アプリに表示される確認コードを入力してください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="206"/>
        <source>The verification code was not accepted.</source>
        <translation>確認コードが受け付けられませんでした。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="208"/>
        <source>Check the code and try again.</source>
        <translation>コードを確認して、もう一度お試しください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="186"/>
        <source>The user name or password is not correct.</source>
        <translation>ユーザー名またはパスワードが正しくありません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="8"/>
        <source>The {what} could not be read as {format}: {reason}</source>
        <translation>{what} を {format} として読み取れませんでした: {reason}</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="10"/>
        <source>Fix or remove that item in your calendar or address book program.</source>
        <translation>予定表またはアドレス帳のプログラムで、その項目を修正するか削除してください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="12"/>
        <source>The cloud file {path} contains “{field}”, which looks like a password, secret or token. Cloud files never carry secrets (d365-wizard signs in as a public client), so it was not used.</source>
        <translation>クラウド ファイル {path} に、パスワード、シークレット、またはトークンと思われる「{field}」が含まれています。クラウド ファイルにシークレットを含めることはありません (d365-wizard はパブリック クライアントとしてサインインします) ので、このファイルは使用されませんでした。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="14"/>
        <source>Remove it from the file; credentials are entered when signing in and saved only in the OS keyring.</source>
        <translation>ファイルから削除してください。資格情報はサインイン時に入力し、OS のキーリングにのみ保存されます。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="16"/>
        <source>{What} {path} is busy: another d365-wizard process kept it locked.</source>
        <translation>{What} {path} は使用中です: 別の d365-wizard のプロセスがロックしています。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="18"/>
        <source>Close other d365-wizard windows or commands and try again.</source>
        <translation>ほかの d365-wizard のウィンドウやコマンドを閉じて、もう一度お試しください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="20"/>
        <source>{What} {path} is damaged and cannot be read ({reason}).</source>
        <translation>{What} {path} は破損していて読み取れません ({reason})。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="22"/>
        <source>Close d365-wizard, restore the file from a backup, or move it away to start with an empty one (items from the organization are downloaded again at the next synchronization; items that were only on this computer are lost). Send the file to your helpdesk if you need it recovered.</source>
        <translation>d365-wizard を閉じ、バックアップからファイルを復元するか、ファイルを移動して空の状態から始めてください (組織の項目は次回の同期で再びダウンロードされます。このコンピューターにしかなかった項目は失われます)。復旧が必要な場合は、ファイルをヘルプデスクに送ってください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="24"/>
        <source>There is no space left on the disk (or your disk quota is used up), so {what} {path} could not be written.</source>
        <translation>ディスクの空き容量がない (またはディスク クォータを使い切った) ため、{what} {path} を書き込めませんでした。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="26"/>
        <source>Free some disk space (or ask IT to raise the quota) and try again. Nothing was changed.</source>
        <translation>ディスクの空き容量を増やして (または IT 部門にクォータの引き上げを依頼して)、もう一度お試しください。何も変更されていません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="28"/>
        <source>{What} {path} does not exist.</source>
        <translation>{What} {path} は存在しません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="30"/>
        <source>Check the path.</source>
        <translation>パスを確認してください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="32"/>
        <source>Could not {verb} {what} {path}: {reason}.</source>
        <translation>{what} {path} を {verb} できませんでした: {reason}。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="34"/>
        <source>Check the file and try again.</source>
        <translation>ファイルを確認して、もう一度お試しください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="36"/>
        <source>{What} {path} is larger than {limit}, so it is not {what} d365-wizard can use.</source>
        <translation>{What} {path} は {limit} を超えているため、d365-wizard が使用できる {what} ではありません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="38"/>
        <source>Check that you gave the right file.</source>
        <translation>正しいファイルを指定したか確認してください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="40"/>
        <source>{What} {path} is not valid JSON: {reason}.</source>
        <translation>{What} {path} は有効な JSON ではありません: {reason}。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="42"/>
        <source>Check it with a JSON validator and correct it.</source>
        <translation>JSON 検証ツールで確認して修正してください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="44"/>
        <source>{What} {path} is nested more than {limit} levels deep, far more than any file d365-wizard reads.</source>
        <translation>{What} {path} は {limit} 階層を超えて入れ子になっており、d365-wizard が読むどのファイルよりもはるかに深くなっています。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="46"/>
        <source>The file name {path} is too long for the file system.</source>
        <translation>ファイル名 {path} はファイル システムには長すぎます。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="48"/>
        <source>Choose a shorter name.</source>
        <translation>もっと短い名前を選んでください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="50"/>
        <source>{path} is a file, not a folder, so d365-wizard cannot keep its files there.</source>
        <translation>{path} はフォルダーではなくファイルなので、d365-wizard はそこにファイルを保存できません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="52"/>
        <source>Give a folder with --home DIR (or D365_WIZARD_HOME), or move that file away.</source>
        <translation>--home DIR (または D365_WIZARD_HOME) でフォルダーを指定するか、そのファイルを移動してください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="54"/>
        <source>{path} is {found}, not a regular file, so it cannot be used as {what}.</source>
        <translation>{path} は通常のファイルではなく {found} なので、{what} として使用できません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="56"/>
        <source>Give the path of an ordinary file.</source>
        <translation>通常のファイルのパスを指定してください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="58"/>
        <source>{What} {path} is not UTF-8 text (the byte at position {offset} is not valid).</source>
        <translation>{What} {path} は UTF-8 のテキストではありません (位置 {offset} のバイトが無効です)。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="60"/>
        <source>Save the file as UTF-8 text and try again.</source>
        <translation>ファイルを UTF-8 のテキストとして保存して、もう一度お試しください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="62"/>
        <source>{path} is a folder where d365-wizard expects {what}.</source>
        <translation>{path} はフォルダーですが、d365-wizard はそこに {what} があるものとしています。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="64"/>
        <source>Move that folder away (d365-wizard keeps a file there) and try again; nothing was changed.</source>
        <translation>そのフォルダーを移動して (d365-wizard はそこにファイルを置きます)、もう一度お試しください。何も変更されていません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="66"/>
        <source>You do not have permission to {verb} {path}.</source>
        <translation>{path} を {verb} するアクセス許可がありません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="68"/>
        <source>Check who owns the file or folder and its permissions, or use another folder (--home DIR or the D365_WIZARD_HOME setting).</source>
        <translation>ファイルまたはフォルダーの所有者とアクセス許可を確認するか、別のフォルダーを使用してください (--home DIR または D365_WIZARD_HOME の設定)。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="70"/>
        <source>{path} cannot be written: the disk or folder is read-only.</source>
        <translation>{path} に書き込めません: ディスクまたはフォルダーが読み取り専用です。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="72"/>
        <source>Use a folder you can write to (--home DIR or the D365_WIZARD_HOME setting), or ask IT why your home folder is read-only.</source>
        <translation>書き込みできるフォルダーを使用する (--home DIR または D365_WIZARD_HOME の設定) か、ホーム フォルダーが読み取り専用である理由を IT 部門に問い合わせてください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="74"/>
        <source>{path} is a symbolic link; d365-wizard does not read or write its own files through links.</source>
        <translation>{path} はシンボリック リンクです。d365-wizard は自身のファイルをリンク経由で読み書きしません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="76"/>
        <source>Replace the link with the file it points to (or remove it) and try again; nothing was changed.</source>
        <translation>リンクを、リンク先のファイルに置き換える (または削除する) して、もう一度お試しください。何も変更されていません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="78"/>
        <source>The {kind} field “{field}” cannot hold {value}: it must be {expected}.</source>
        <translation>{kind} のフィールド「{field}」には {value} を格納できません: {expected} である必要があります。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="80"/>
        <source>Nothing was stored. Give a value of that kind{hint}.</source>
        <translation>何も保存されていません。その種類の値を指定してください{hint}。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="82"/>
        <source>A {kind} has no field “{field}”.</source>
        <translation>{kind} にはフィールド「{field}」がありません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="84"/>
        <source>Nothing was stored. The fields of a {kind} are: {known}.</source>
        <translation>何も保存されていません。{kind} のフィールドは次のとおりです: {known}。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="86"/>
        <source>Server-side synchronization in {org} cannot start yet: your e-mail address {email} is “{state}”, not approved.</source>
        <translation>{org} のサーバー側同期はまだ開始できません: 電子メール アドレス {email} は承認されておらず、「{state}」です。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="88"/>
        <source>This is an administrator&apos;s step, not a fault of this computer: an administrator of {org} approves the address (Approve Email in your mailbox record); then switch again or run Test &amp; Enable.</source>
        <translation>これは管理者が行う手順で、このコンピューターの問題ではありません: {org} の管理者がアドレスを承認します (メールボックス レコードの [電子メールの承認])。その後、もう一度切り替えるか、Test &amp; Enableを実行してください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="90"/>
        <source>Test &amp; Enable in {org} failed: your Exchange mailbox is configured with another organization.</source>
        <translation>{org} のTest &amp; Enableに失敗しました: Exchange メールボックスは別の組織に構成されています。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="92"/>
        <source>If {org} should synchronize, switch to it again with the option “Sync items with Exchange from this org only, even if Exchange was set to sync with a different org”; the other organizations are set to None.</source>
        <translation>{org} で同期する場合は、オプション「Exchange が別の組織と同期するように設定されている場合でも、この組織のアイテムのみを Exchange と同期する」を選んで、もう一度切り替えてください。ほかの組織は [なし] に設定されます。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="94"/>
        <source>{org} holds your Exchange mailbox, but it is not your synchronizing organization.</source>
        <translation>{org} が Exchange メールボックスを保持していますが、同期する組織ではありません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="96"/>
        <source>Switch again to the organization that should synchronize, with the option “Sync items with Exchange from this org only, even if Exchange was set to sync with a different org”.</source>
        <translation>オプション「Exchange が別の組織と同期するように設定されている場合でも、この組織のアイテムのみを Exchange と同期する」を選んで、同期するべき組織にもう一度切り替えてください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="98"/>
        <source>{org} did not accept your sign-in, so your mailbox record there was not read or changed.</source>
        <translation>{org} がサインインを受け付けなかったため、そこのメールボックス レコードは読み取りも変更もされていません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="100"/>
        <source>Sign in to {org} again; the switch is finished afterwards.</source>
        <translation>{org} にもう一度サインインしてください。その後、切り替えが完了します。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="102"/>
        <source>Test &amp; Enable in {org} failed: {error}</source>
        <translation>{org} のTest &amp; Enableに失敗しました: {error}</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="104"/>
        <source>Open the mailbox record&apos;s alerts in {org} (Settings &gt; Email &gt; Mailboxes) or send the details to your administrator.</source>
        <translation>{org} でメールボックス レコードの警告を開く ([設定] &gt; [電子メール] &gt; [メールボックス]) か、詳細を管理者に送ってください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="106"/>
        <source>Test &amp; Enable in {org} has not run yet (waited {seconds} seconds).</source>
        <translation>{org} のTest &amp; Enableはまだ実行されていません ({seconds} 秒待機しました)。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="108"/>
        <source>Dynamics 365 runs it in the background, which can take several minutes. Check the mailbox status later.</source>
        <translation>Dynamics 365 はこれをバックグラウンドで実行するため、数分かかることがあります。後でメールボックスの状態を確認してください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="110"/>
        <source>{org} could not be reached: {reason}</source>
        <translation>{org} に接続できませんでした: {reason}</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="112"/>
        <source>Check the network connection (and VPN); the switch is finished when {org} can be reached again.</source>
        <translation>ネットワーク接続 (および VPN) を確認してください。{org} に再び接続できるようになると、切り替えが完了します。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="114"/>
        <source>You may not change your mailbox record in {org} (HTTP 403: missing privilege).</source>
        <translation>{org} のメールボックス レコードを変更する権限がありません (HTTP 403: 特権がありません)。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="116"/>
        <source>An administrator of {org} must either add the privilege to change mailbox records (Mailbox: Write, Core Records tab of a security role) to one of your roles, or make the change in your mailbox record themselves (Settings &gt; Email &gt; Mailboxes): {what}</source>
        <translation>{org} の管理者が、メールボックス レコードを変更する特権 (セキュリティ ロールの [コア レコード] タブの [メールボックス: 書き込み]) をあなたのロールのいずれかに追加するか、メールボックス レコードを自分で変更する必要があります ([設定] &gt; [電子メール] &gt; [メールボックス]): {what}</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="118"/>
        <source>{org}&apos;s mailbox record says {method}, but you chose {chosen} for it.</source>
        <translation>{org} のメールボックス レコードは {method} ですが、あなたは {chosen} を選びました。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="120"/>
        <source>Choose it again as the synchronizing organization with the method you want: that sets its mailbox record.</source>
        <translation>希望する方法で、その組織をもう一度同期する組織として選んでください。それによってメールボックス レコードが設定されます。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="122"/>
        <source>{org} has not been connected yet, so your mailbox record there cannot be read.</source>
        <translation>{org} にはまだ接続していないため、そこのメールボックス レコードを読み取れません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="124"/>
        <source>Connect to it once (test the connection or sign in); the switch is finished afterwards.</source>
        <translation>一度接続してください (接続をテストするかサインインします)。その後、切り替えが完了します。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="126"/>
        <source>{org} does not hold your Exchange mailbox{holder}, so its server-side synchronization does not synchronize appointments, contacts and tasks.</source>
        <translation>{org} は Exchange メールボックスを保持していない{holder}ため、そのサーバー側同期では予定、取引先担当者、タスクは同期されません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="128"/>
        <source>Choose it again as the synchronizing organization with the option “Sync items with Exchange from this org only, even if Exchange was set to sync with a different org”.</source>
        <translation>オプション「Exchange が別の組織と同期するように設定されている場合でも、この組織のアイテムのみを Exchange と同期する」を選んで、もう一度同期する組織として選んでください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="130"/>
        <source>Your mailbox record in {org} is set to {method}, so Test &amp; Enable would not synchronize appointments, contacts and tasks there.</source>
        <translation>{org} のメールボックス レコードは {method} に設定されているため、Test &amp; Enableを行っても、そこでは予定、取引先担当者、タスクは同期されません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="132"/>
        <source>Switch to {org} with the method Server-side synchronization instead.</source>
        <translation>代わりに、サーバー側同期の方法で {org} に切り替えてください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="134"/>
        <source>{org} is your synchronizing organization, but its mailbox record says None for appointments, contacts and tasks, so nothing synchronizes them.</source>
        <translation>{org} は同期する組織ですが、メールボックス レコードでは予定、取引先担当者、タスクが [なし] になっているため、それらは何も同期されません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="136"/>
        <source>Choose it again as the synchronizing organization: that sets the method in its mailbox record (and runs Test &amp; Enable for server-side synchronization).</source>
        <translation>もう一度同期する組織として選んでください。それによってメールボックス レコードの方法が設定されます (サーバー側同期の場合はTest &amp; Enableも実行されます)。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="138"/>
        <source>The switch to {org} had to be undone because a mailbox record changed, but {orgs} could not be set back yet.</source>
        <translation>メールボックス レコードが変更されたため {org} への切り替えを元に戻す必要がありましたが、{orgs} はまだ元に戻せていません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="140"/>
        <source>The change is undone when the organizations can be reached again.</source>
        <translation>組織に再び接続できるようになると、変更は元に戻されます。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="142"/>
        <source>{org} refused the change of your mailbox record: {reason}</source>
        <translation>{org} はメールボックス レコードの変更を拒否しました: {reason}</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="144"/>
        <source>Try again later; if it keeps happening, send the details to your helpdesk.</source>
        <translation>後でもう一度お試しください。繰り返し発生する場合は、詳細をヘルプデスクに送ってください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="146"/>
        <source>{org} synchronizes appointments, contacts and tasks through its server-side synchronization with your Exchange mailbox, so this computer does not synchronize them.</source>
        <translation>{org} はサーバー側同期によって予定、取引先担当者、タスクを Exchange メールボックスと同期しているため、このコンピューターでは同期しません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="148"/>
        <source>To synchronize them on this computer instead, switch to {org} again and choose the synchronization method This computer.</source>
        <translation>代わりにこのコンピューターで同期するには、もう一度 {org} に切り替えて、同期方法として [このコンピューター] を選んでください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="150"/>
        <source>{org} is not your synchronizing organization, but its mailbox record still says {method}: its server-side synchronization could take your Exchange mailbox (for example when an administrator runs Test &amp; Enable there).</source>
        <translation>{org} は同期する組織ではありませんが、メールボックス レコードはまだ {method} です: そのサーバー側同期が Exchange メールボックスを使用する可能性があります (たとえば、管理者がそこでTest &amp; Enableを実行した場合)。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="152"/>
        <source>Set the method to None in the other organizations, as Microsoft advises for every organization that is not the primary one.</source>
        <translation>Microsoft がプライマリ以外のすべての組織に推奨しているとおり、ほかの組織では方法を [なし] に設定してください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="154"/>
        <source>The switch to {org} is not finished: {count} organization(s) could not be changed ({orgs}).</source>
        <translation>{org} への切り替えは完了していません: {count} 個の組織を変更できませんでした ({orgs})。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="156"/>
        <source>Fix what each organization&apos;s message says, then finish the switch; until then more than one organization may synchronize with your Exchange mailbox.</source>
        <translation>各組織のメッセージに従って問題を解決してから、切り替えを完了してください。それまでは、複数の組織が Exchange メールボックスと同期する可能性があります。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="158"/>
        <source>An earlier switch to {org} is not finished: {what}</source>
        <translation>以前の {org} への切り替えが完了していません: {what}</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="160"/>
        <source>Finish the switch; it reads every mailbox record again first.</source>
        <translation>切り替えを完了してください。最初にすべてのメールボックス レコードが読み直されます。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="162"/>
        <source>Your mailbox record in {org} was changed by someone else after the plan was shown, so the switch was not carried out.</source>
        <translation>計画が表示された後に {org} のメールボックス レコードがほかの人によって変更されたため、切り替えは実行されませんでした。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="164"/>
        <source>Nothing was changed. Review the new plan and confirm again.</source>
        <translation>何も変更されていません。新しい計画を確認して、もう一度確定してください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="166"/>
        <source>“{method}” is not a synchronization method (server or computer).</source>
        <translation>「{method}」は同期方法ではありません (server または computer)。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="168"/>
        <source>The sign-in was not completed in the browser within {minutes} minutes.</source>
        <translation>{minutes} 分以内にブラウザーでのサインインが完了しませんでした。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="170"/>
        <source>Start it again, or sign in with a code on another device.</source>
        <translation>もう一度やり直すか、別のデバイスでコードを使ってサインインしてください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="172"/>
        <source>No web browser could be opened for sign-in.</source>
        <translation>サインイン用の Web ブラウザーを開けませんでした。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="174"/>
        <source>Open the sign-in address in a web browser yourself, or sign in with a code on another device.</source>
        <translation>サインインのアドレスをご自身で Web ブラウザーで開くか、別のデバイスでコードを使ってサインインしてください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="176"/>
        <source>You are not signed in as {username} yet.</source>
        <translation>{username} としてまだサインインしていません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="178"/>
        <source>Sign in.</source>
        <translation>サインインしてください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="180"/>
        <source>You are not signed in yet.</source>
        <translation>まだサインインしていません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="182"/>
        <source>Your saved sign-in cannot be used for this organization.</source>
        <translation>保存されているサインインは、この組織には使用できません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="184"/>
        <source>Sign in again.</source>
        <translation>もう一度サインインしてください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="188"/>
        <source>Check them and try again.</source>
        <translation>確認して、もう一度お試しください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="196"/>
        <source>The sign-in page asked for something this app cannot answer.</source>
        <translation>サインイン ページが、このアプリでは応答できない情報を要求しました。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="210"/>
        <source>The calendar server at {host} did not accept the user name and password.</source>
        <translation>{host} の予定表サーバーがユーザー名とパスワードを受け付けませんでした。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="212"/>
        <source>Check the user name and password. Many providers (iCloud, Fastmail, Google, Nextcloud with two-step sign-in) need an app password made for this program in your account&apos;s security settings.</source>
        <translation>ユーザー名とパスワードを確認してください。多くのプロバイダー (iCloud、Fastmail、Google、2 段階サインインを使う Nextcloud) では、アカウントのセキュリティ設定でこのプログラム用に作成したアプリ パスワードが必要です。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="214"/>
        <source>The server at {host} asks for a kind of sign-in this app does not support ({scheme}); it signs in to CalDAV/CardDAV servers with a user name and password.</source>
        <translation>{host} のサーバーは、このアプリが対応していない種類のサインイン ({scheme}) を求めています。このアプリは CalDAV/CardDAV サーバーにユーザー名とパスワードでサインインします。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="216"/>
        <source>Check the address: it may not be a CalDAV/CardDAV server. Google Calendar&apos;s CalDAV needs OAuth; sync Google through a vdir folder and vdirsyncer instead.</source>
        <translation>アドレスを確認してください: CalDAV/CardDAV サーバーではない可能性があります。Google カレンダーの CalDAV には OAuth が必要です。代わりに vdir フォルダーと vdirsyncer を使って Google と同期してください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="218"/>
        <source>The calendar server at {host} answered HTTP {status} to {what}.</source>
        <translation>{host} の予定表サーバーは {what} に対して HTTP {status} を返しました。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="220"/>
        <source>Try again later; if it keeps failing, check the address with your provider.</source>
        <translation>後でもう一度お試しください。失敗が続く場合は、プロバイダーにアドレスを確認してください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="222"/>
        <source>The calendar server at {host} does not let this account {what}.</source>
        <translation>{host} の予定表サーバーは、このアカウントに {what} を許可していません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="224"/>
        <source>Choose a calendar or address book the account may change.</source>
        <translation>このアカウントで変更できる予定表またはアドレス帳を選んでください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="226"/>
        <source>There is no calendar or address book at {url}.</source>
        <translation>{url} には予定表もアドレス帳もありません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="228"/>
        <source>Check the address. Your provider&apos;s help names it; the server&apos;s own address (https://server/) is often enough.</source>
        <translation>アドレスを確認してください。プロバイダーのヘルプに記載されています。多くの場合、サーバー自体のアドレス (https://server/) で十分です。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="230"/>
        <source>The account at {host} has no calendar, task list or address book.</source>
        <translation>{host} のアカウントには、予定表、タスク一覧、アドレス帳のいずれもありません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="232"/>
        <source>Create a calendar and an address book in your account, then try again.</source>
        <translation>アカウントに予定表とアドレス帳を作成してから、もう一度お試しください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="234"/>
        <source>{url} is not a CalDAV or CardDAV server.</source>
        <translation>{url} は CalDAV または CardDAV のサーバーではありません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="236"/>
        <source>Check the address. Your provider&apos;s help names the CalDAV and CardDAV address; it is not the address of the web calendar.</source>
        <translation>アドレスを確認してください。CalDAV と CardDAV のアドレスはプロバイダーのヘルプに記載されています。Web カレンダーのアドレスではありません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="238"/>
        <source>{href} no longer exists.</source>
        <translation>{href} はもう存在しません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="240"/>
        <source>This mailbox has no collection for {kind}s.</source>
        <translation>このメールボックスには {kind} のコレクションがありません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="242"/>
        <source>Connect a mailbox that has one, or create one in it and connect again.</source>
        <translation>コレクションがあるメールボックスに接続するか、メールボックスにコレクションを作成してからもう一度接続してください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="244"/>
        <source>{href} changed while it was being written.</source>
        <translation>{href} は書き込み中に変更されました。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="246"/>
        <source>The password for {user} at {url} is not in the keyring.</source>
        <translation>{url} の {user} のパスワードがキーリングにありません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="248"/>
        <source>Connect the mailbox again and enter the password (or app password).</source>
        <translation>もう一度メールボックスに接続して、パスワード (またはアプリ パスワード) を入力してください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="250"/>
        <source>“{side}” is not a kind of mailbox; use local, vdir or dav.</source>
        <translation>「{side}」はメールボックスの種類ではありません。local、vdir、dav のいずれかを使用してください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="252"/>
        <source>The folder {path} cannot be used as a mailbox: {reason}</source>
        <translation>フォルダー {path} はメールボックスとして使用できません: {reason}</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="254"/>
        <source>Choose a folder you can write to.</source>
        <translation>書き込みできるフォルダーを選んでください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="194"/>
        <source>The sign-in page reported a problem: {page_text}</source>
        <translation>サインイン ページが問題を報告しました: {page_text}</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="198"/>
        <source>Use sign-in with a code instead.</source>
        <translation>代わりにコードを使ったサインインを使用してください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="200"/>
        <source>The sign-in did not finish.</source>
        <translation>サインインが完了しませんでした。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/app.py" line="70"/>
        <source>The machine-wide deployment file was not applied: {error}</source>
        <translation>コンピューター全体の展開ファイルは適用されませんでした: {error}</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="42"/>
        <source>Contacts</source>
        <translation>取引先担当者</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="42"/>
        <source>Appointments</source>
        <translation>予定</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="42"/>
        <source>Tasks</source>
        <translation>タスク</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="47"/>
        <source>Reading contacts…</source>
        <translation>取引先担当者を読み込んでいます…</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="47"/>
        <source>Reading appointments…</source>
        <translation>予定を読み込んでいます…</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="48"/>
        <source>Reading tasks…</source>
        <translation>タスクを読み込んでいます…</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="48"/>
        <source>Reading resource bookings…</source>
        <translation>リソースの予約を読み込んでいます…</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="49"/>
        <source>Checking tracked e-mail…</source>
        <translation>追跡する電子メールを確認しています…</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="50"/>
        <source>Sending your changes…</source>
        <translation>変更を送信しています…</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="55"/>
        <source>{n} new</source>
        <translation>新規 {n} 件</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="55"/>
        <source>{n} changed</source>
        <translation>変更 {n} 件</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="55"/>
        <source>{n} removed</source>
        <translation>削除 {n} 件</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="58"/>
        <source>nothing</source>
        <translation>なし</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="80"/>
        <source>Synchronize with {name}</source>
        <translation>{name} との同期</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="85"/>
        <source>Synchronizing your mailbox with {name}…</source>
        <translation>メールボックスを {name} と同期しています…</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="90"/>
        <source>Synchronization</source>
        <translation>同期</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="784"/>
        <location filename="../../wizard/gui/sync_dialogs.py" line="92"/>
        <source>Connecting…</source>
        <translation>接続しています…</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/switch_dialogs.py" line="19"/>
        <source>Dynamics 365 for Outlook</source>
        <translation>Dynamics 365 for Outlook</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/switch_dialogs.py" line="19"/>
        <source>Server-Side Synchronization</source>
        <translation>サーバー側同期</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/switch_dialogs.py" line="20"/>
        <source>None</source>
        <translation>なし</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/switch_dialogs.py" line="20"/>
        <source>not set</source>
        <translation>未設定</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/switch_dialogs.py" line="24"/>
        <source>, </source>
        <translation>、</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/switch_dialogs.py" line="30"/>
        <source>{name}: could not be read ({problem}). Its record is changed as soon as it can be reached; until then the switch is not finished.</source>
        <translation>{name}: 読み取れませんでした ({problem})。接続できるようになり次第レコードを変更します。それまで切り替えは完了しません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/switch_dialogs.py" line="32"/>
        <source>not connected</source>
        <translation>未接続</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/switch_dialogs.py" line="36"/>
        <source>{name}: appointments, contacts and tasks stay None.</source>
        <translation>{name}: 予定・連絡先・タスクは「なし」のままです。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/switch_dialogs.py" line="37"/>
        <source>{name}: appointments, contacts and tasks → None (was {was}).</source>
        <translation>{name}: 予定・連絡先・タスク → なし (変更前: {was})。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/switch_dialogs.py" line="41"/>
        <source>{name}: appointments, contacts and tasks stay with this computer.</source>
        <translation>{name}: 予定・連絡先・タスクは引き続きこのコンピューターで同期します。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/switch_dialogs.py" line="43"/>
        <source>{name}: appointments, contacts and tasks → this computer (Dynamics 365 for Outlook; was {was}).</source>
        <translation>{name}: 予定・連絡先・タスク → このコンピューター (Dynamics 365 for Outlook、変更前: {was})。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/switch_dialogs.py" line="47"/>
        <source>{name}: stays on Server-Side Synchronization; it holds your Exchange mailbox already.</source>
        <translation>{name}: サーバー側同期のままです。Exchange メールボックスはすでにこの組織が保持しています。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/switch_dialogs.py" line="50"/>
        <source>{name}: Server-Side Synchronization, Test &amp; Enable with “this org only” (takes your Exchange mailbox from {holders}).</source>
        <translation>{name}: サーバー側同期、「この組織のみ」でTest &amp; Enable (Test &amp; Enable) (Exchange メールボックスを {holders} から引き継ぎます)。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/switch_dialogs.py" line="54"/>
        <source>{name}: Server-Side Synchronization, Test &amp; Enable with “this org only”.</source>
        <translation>{name}: サーバー側同期、「この組織のみ」でTest &amp; Enable (Test &amp; Enable)。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/switch_dialogs.py" line="56"/>
        <source>{name}: Server-Side Synchronization, then Test &amp; Enable.</source>
        <translation>{name}: サーバー側同期、その後Test &amp; Enable (Test &amp; Enable)。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/switch_dialogs.py" line="61"/>
        <source>Your Exchange mailbox synchronizes with {names}.</source>
        <translation>Exchange メールボックスは {names} と同期しています。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/switch_dialogs.py" line="62"/>
        <source>None of your organizations holds your Exchange mailbox.</source>
        <translation>あなたの組織のいずれも Exchange メールボックスを保持していません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/switch_dialogs.py" line="69"/>
        <source>Changing the mailbox records…</source>
        <translation>メールボックス レコードを変更しています…</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/switch_dialogs.py" line="70"/>
        <source>Test &amp; Enable in {org}…</source>
        <translation>{org} でTest &amp; Enable (Test &amp; Enable)を実行しています…</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/switch_dialogs.py" line="71"/>
        <source>Waiting for the result of Test &amp; Enable in {org} (check {n} of {total})…</source>
        <translation>{org} のTest &amp; Enable (Test &amp; Enable)の結果を待っています (確認 {n} / {total})…</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/switch_dialogs.py" line="73"/>
        <source>Reading the mailbox records back…</source>
        <translation>メールボックス レコードを読み直しています…</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/switch_dialogs.py" line="74"/>
        <source>A record changed meanwhile: undoing the changes already made…</source>
        <translation>その間にレコードが変更されました。すでに行った変更を元に戻しています…</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/switch_dialogs.py" line="76"/>
        <source>Working…</source>
        <translation>処理しています…</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/switch_dialogs.py" line="81"/>
        <source>{name}: set to {method}.</source>
        <translation>{name}: {method} に設定しました。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/switch_dialogs.py" line="83"/>
        <source>{name}: already as planned.</source>
        <translation>{name}: すでに計画どおりです。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/switch_dialogs.py" line="86"/>
        <source>Server-Side Synchronization, then Test &amp; Enable</source>
        <translation>サーバー側同期、その後Test &amp; Enable (Test &amp; Enable)</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/switch_dialogs.py" line="88"/>
        <source>Server-Side Synchronization, then Test &amp; Enable with “this org only”</source>
        <translation>サーバー側同期、その後「この組織のみ」でTest &amp; Enable (Test &amp; Enable)</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/switch_dialogs.py" line="91"/>
        <source>{name}: not changed: your security roles do not allow you to change your mailbox record there. An administrator of {name} must add the privilege to change mailbox records (Mailbox: Write) to one of your roles, or set it for you: {what}.</source>
        <translation>{name}: 変更されていません。セキュリティ ロールで、この組織のメールボックス レコードの変更が許可されていません。{name} の管理者が、メールボックス レコードを変更する特権 (Mailbox: Write) をあなたのロールに追加するか、代わりに設定する必要があります: {what}。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/switch_dialogs.py" line="96"/>
        <source>{name}: not changed: the organization did not accept your sign-in. Sign in to it again; the switch is finished afterwards.</source>
        <translation>{name}: 変更されていません。組織がサインインを受け付けませんでした。もう一度サインインしてください。その後、切り替えが完了します。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/switch_dialogs.py" line="99"/>
        <source>{name}: not changed: it could not be reached ({message}). The switch is finished when it can be reached again.</source>
        <translation>{name}: 変更されていません。接続できませんでした ({message})。再び接続できるようになると切り替えが完了します。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/switch_dialogs.py" line="101"/>
        <source>{name}: not changed. {message}</source>
        <translation>{name}: 変更されていません。{message}</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/switch_dialogs.py" line="113"/>
        <source>Test &amp; Enable in {name} succeeded: it synchronizes appointments, contacts and tasks with your Exchange mailbox.</source>
        <translation>{name} のTest &amp; Enable (Test &amp; Enable)に成功しました。予定・連絡先・タスクを Exchange メールボックスと同期します。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/switch_dialogs.py" line="115"/>
        <source>Test &amp; Enable in {name} failed: your Exchange mailbox is configured with another organization. If {name} should synchronize, choose Synchronize again and tick “Sync items from this organization only, even if the mailbox was set to sync with a different organization”.</source>
        <translation>{name} のTest &amp; Enable (Test &amp; Enable)に失敗しました。Exchange メールボックスが別の組織に構成されています。{name} で同期する場合は、もう一度「同期」を選び、「メールボックスが別の組織と同期するように設定されていても、この組織のアイテムのみを同期する」をオンにしてください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/switch_dialogs.py" line="119"/>
        <source>Server-side synchronization in {name} cannot start yet: your e-mail address is not approved. An administrator approves it (Approve Email in your mailbox record); this is not a fault of this computer.</source>
        <translation>{name} のサーバー側同期はまだ開始できません。メール アドレスが承認されていません。管理者が承認します (メールボックス レコードの「メールの承認」)。このコンピューターの問題ではありません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/switch_dialogs.py" line="122"/>
        <source>Test &amp; Enable in {name} failed: {message}</source>
        <translation>{name} のTest &amp; Enable (Test &amp; Enable)に失敗しました: {message}</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/switch_dialogs.py" line="123"/>
        <source>Test &amp; Enable in {name} has not run yet. Dynamics 365 runs it in the background, which can take several minutes; test the connection later to see the result.</source>
        <translation>{name} のTest &amp; Enable (Test &amp; Enable)はまだ実行されていません。Dynamics 365 がバックグラウンドで実行するため、数分かかることがあります。あとで接続テストを行い、結果を確認してください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/switch_dialogs.py" line="126"/>
        <source>You stopped waiting for Test &amp; Enable in {name}; it still runs on the server. Test the connection later to see the result.</source>
        <translation>{name} のTest &amp; Enable (Test &amp; Enable)の待機を中止しました。サーバー上では引き続き実行されます。あとで接続テストを行い、結果を確認してください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/switch_dialogs.py" line="128"/>
        <source>Test &amp; Enable in {name} was not run because its mailbox record could not be changed.</source>
        <translation>メールボックス レコードを変更できなかったため、{name} のTest &amp; Enable (Test &amp; Enable)は実行されませんでした。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/switch_dialogs.py" line="143"/>
        <source>{name} is now your synchronizing organization; the other organizations are set to None.</source>
        <translation>{name} が同期する組織になりました。ほかの組織は「なし」に設定されました。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/switch_dialogs.py" line="147"/>
        <source>The switch to {name} is not finished: {orgs} could not be changed. When the problems are fixed, choose Finish the switch in Test Connection; the app also offers it when it starts.</source>
        <translation>{name} への切り替えは完了していません: {orgs} を変更できませんでした。問題が解決したら、接続テストで「切り替えを完了する」を選んでください。アプリの起動時にも表示されます。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/switch_dialogs.py" line="174"/>
        <source>Changing the synchronizing organization</source>
        <translation>同期する組織を変更しています</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/switch_dialogs.py" line="177"/>
        <source>Making {name} your synchronizing organization…</source>
        <translation>{name} を同期する組織にしています…</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/switch_dialogs.py" line="182"/>
        <source>What is happening</source>
        <translation>処理の内容</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/switch_dialogs.py" line="186"/>
        <location filename="../../wizard/gui/sync_dialogs.py" line="93"/>
        <source>Current step</source>
        <translation>現在のステップ</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/switch_dialogs.py" line="190"/>
        <source>The switch is running.</source>
        <translation>切り替えを実行しています。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/switch_dialogs.py" line="201"/>
        <source>Show the result as the engine wrote it.</source>
        <translation>エンジンが記録した結果を表示します。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/switch_dialogs.py" line="227"/>
        <source>There was nothing to finish.</source>
        <translation>完了すべきものはありませんでした。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/switch_dialogs.py" line="231"/>
        <source>Done.</source>
        <translation>完了しました。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/switch_dialogs.py" line="231"/>
        <source>Done, with problems to look at.</source>
        <translation>完了しましたが、確認が必要な問題があります。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/switch_dialogs.py" line="252"/>
        <source>Stopping after the current step…</source>
        <translation>現在の手順のあとで停止します…</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="97"/>
        <source>How far the synchronization has come.</source>
        <translation>同期の進み具合です。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="107"/>
        <source>Show every change the synchronization made.</source>
        <translation>同期で行われたすべての変更を表示します。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="113"/>
        <source>Every change, as the engine reported it.</source>
        <translation>エンジンが報告したすべての変更です。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="127"/>
        <source>%v of %m</source>
        <translation>%v / %m</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="146"/>
        <source>Into your mailbox: {what}.</source>
        <translation>メールボックスへ: {what}。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="147"/>
        <source>Into the organization: {what}.</source>
        <translation>組織へ: {what}。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="149"/>
        <source>{n} conflict(s): both sides changed the same field; the organization&apos;s value was kept. See Details.</source>
        <translation>競合 {n} 件: 両方で同じフィールドが変更されたため、組織の値を残しました。詳細を参照してください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="152"/>
        <source>No conflicts.</source>
        <translation>競合はありません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="154"/>
        <source>Not sent (they stay queued and are tried again next time):</source>
        <translation>送信されなかった変更 (キューに残り、次回もう一度送信されます):</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="158"/>
        <source>Last synchronization: {when}</source>
        <translation>最終同期: {when}</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="164"/>
        <source>Synchronization cancelled.</source>
        <translation>同期はキャンセルされました。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="165"/>
        <source>Nothing in your mailbox changed: a cancelled synchronization commits nothing. Changes already sent to the organization are matched up at the next synchronization.</source>
        <translation>メールボックスは何も変更されていません。キャンセルされた同期は何も確定しません。組織に送信済みの変更は、次回の同期で照合されます。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="170"/>
        <source>The synchronization did not run.</source>
        <translation>同期は実行されませんでした。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="174"/>
        <source>Cancelling after the current step…</source>
        <translation>現在のステップの後でキャンセルします…</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="217"/>
        <source>Show the message as the engine wrote it.</source>
        <translation>エンジンが書いたとおりのメッセージを表示します。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="226"/>
        <source>&amp;Synchronize</source>
        <translation>同期(&amp;S)</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="252"/>
        <source>Synchronization Settings of {name}</source>
        <translation>{name} の同期の設定</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="257"/>
        <source>Synchronization settings pages</source>
        <translation>同期設定のページ</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="262"/>
        <source>&amp;Mailbox</source>
        <translation>メールボックス(&amp;M)</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="265"/>
        <source>These settings apply to everyone in {name}. Changes take effect at the next synchronization.</source>
        <translation>これらの設定は {name} の全員に適用されます。変更は次回の同期から有効になります。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="268"/>
        <source>You can read these settings. Only users with the Sync to Outlook privilege can change them.</source>
        <translation>これらの設定は閲覧できます。変更できるのは「Outlook と同期」権限を持つユーザーだけです。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="272"/>
        <source>About these settings</source>
        <translation>これらの設定について</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="275"/>
        <source>Organization-wide settings</source>
        <translation>組織全体の設定</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="277"/>
        <source>Synchronize appointment &amp;attachments</source>
        <translation>予定の添付ファイルを同期する(&amp;A)</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="278"/>
        <source>Appointment attachments</source>
        <translation>予定の添付ファイル</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="279"/>
        <source>Attachments of appointments synchronize both ways; never for recurring appointments or service activities.</source>
        <translation>予定の添付ファイルを双方向に同期します。定期的な予定とサービス活動は対象外です。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="282"/>
        <source>Mailing address only</source>
        <translation>郵送先住所のみ</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="283"/>
        <source>All three: Business, Home and Other</source>
        <translation>3 つすべて: 勤務先、自宅、その他</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="284"/>
        <source>Contact addresses</source>
        <translation>取引先担当者の住所</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="285"/>
        <source>Which contact addresses synchronize. Switching remaps existing contacts.</source>
        <translation>同期する取引先担当者の住所です。切り替えると既存の取引先担当者が再マッピングされます。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="286"/>
        <source>Contact a&amp;ddresses:</source>
        <translation>取引先担当者の住所(&amp;D):</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="288"/>
        <source>Synchronize tasks assigned to &amp;others</source>
        <translation>他のユーザーに割り当てたタスクを同期する(&amp;O)</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="289"/>
        <source>Assigned tasks</source>
        <translation>割り当てたタスク</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="290"/>
        <source>Tasks you created and assigned to someone else stay in your mailbox.</source>
        <translation>自分が作成して他のユーザーに割り当てたタスクもメールボックスに残ります。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="291"/>
        <source>Synchronize resource &amp;bookings</source>
        <translation>リソースの予約を同期する(&amp;B)</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="292"/>
        <source>Resource bookings</source>
        <translation>リソースの予約</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="293"/>
        <source>Your resource bookings appear in your calendar.</source>
        <translation>自分のリソースの予約が予定表に表示されます。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="300"/>
        <location filename="../../wizard/gui/sync_dialogs.py" line="325"/>
        <source>Synchronized fields</source>
        <translation>同期するフィールド</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="306"/>
        <location filename="../../wizard/gui/sync_dialogs.py" line="335"/>
        <source>Item type</source>
        <translation>アイテムの種類</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="306"/>
        <source>Choose whose synchronized fields are shown.</source>
        <translation>同期するフィールドを表示するアイテムの種類を選びます。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="307"/>
        <source>&amp;Item type:</source>
        <translation>アイテムの種類(&amp;I):</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="326"/>
        <source>Each field of the item type and the direction it synchronizes in.</source>
        <translation>アイテムの種類の各フィールドと、その同期の方向です。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="331"/>
        <source>Your synchronization filters</source>
        <translation>あなたの同期フィルター</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="335"/>
        <source>Filter</source>
        <translation>フィルター</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="335"/>
        <source>Kind</source>
        <translation>種類</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="343"/>
        <source>Default (records you own)</source>
        <translation>既定 (自分が所有するレコード)</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="345"/>
        <source>Offline filter</source>
        <translation>オフライン フィルター</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="347"/>
        <source>System filter</source>
        <translation>システム フィルター</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="347"/>
        <source>Your filter</source>
        <translation>あなたのフィルター</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="350"/>
        <source>Synchronization filters</source>
        <translation>同期フィルター</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="351"/>
        <source>Which records come into your mailbox: system filters and your own.</source>
        <translation>メールボックスに取り込むレコードを決めます: システム フィルターとあなたのフィルターです。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="417"/>
        <source>This app&apos;s own mailbox</source>
        <translation>このアプリ内のメールボックス</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="417"/>
        <source>A folder of calendar and contact files (vdir)</source>
        <translation>予定表と連絡先のファイルのフォルダー (vdir)</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="418"/>
        <source>A CalDAV/CardDAV account</source>
        <translation>CalDAV/CardDAV アカウント</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="422"/>
        <source>Calendar</source>
        <translation>予定表</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="422"/>
        <source>Task list</source>
        <translation>タスク リスト</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="422"/>
        <source>Address book</source>
        <translation>アドレス帳</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="441"/>
        <source>Choose where this computer keeps the appointments, contacts and tasks of the synchronizing organization: in this app only, in a folder that calendar programs such as khal, khard and vdirsyncer read, or in your calendar and address book account (Nextcloud, iCloud, Fastmail, Radicale…). Items already there are matched before anything is created.</source>
        <translation>同期する組織の予定、連絡先、タスクをこのコンピューターのどこに置くかを選びます: このアプリ内だけ、khal・khard・vdirsyncer などの予定表プログラムが読むフォルダー、またはお使いの予定表とアドレス帳のアカウント (Nextcloud、iCloud、Fastmail、Radicale など)。既にあるアイテムは、何かを作成する前に照合されます。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="445"/>
        <source>About the mailbox</source>
        <translation>メールボックスについて</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="449"/>
        <source>Current mailbox</source>
        <translation>現在のメールボックス</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="455"/>
        <source>This app&apos;s own mailbox (&amp;local)</source>
        <translation>このアプリ内のメールボックス (ローカル)(&amp;L)</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="456"/>
        <source>A &amp;folder of calendar and contact files (vdir)</source>
        <translation>予定表と連絡先のファイルのフォルダー (vdir)(&amp;F)</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="457"/>
        <source>A Cal&amp;DAV/CardDAV account</source>
        <translation>CalDAV/CardDAV アカウント(&amp;D)</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="466"/>
        <source>e.g. ~/.calendars/d365</source>
        <translation>例: ~/.calendars/d365</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="467"/>
        <source>Folder</source>
        <translation>フォルダー</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="467"/>
        <source>The folder that holds one folder per calendar, task list and address book.</source>
        <translation>予定表、タスク リスト、アドレス帳ごとに 1 つのフォルダーを収めるフォルダーです。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="469"/>
        <source>&amp;Browse…</source>
        <translation>参照(&amp;B)…</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="470"/>
        <source>Browse for a folder</source>
        <translation>フォルダーを参照</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="475"/>
        <source>F&amp;older:</source>
        <translation>フォルダー(&amp;O):</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="480"/>
        <source>e.g. https://cloud.example.com/remote.php/dav/</source>
        <translation>例: https://cloud.example.com/remote.php/dav/</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="481"/>
        <source>Server address</source>
        <translation>サーバーのアドレス</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="482"/>
        <source>The CalDAV/CardDAV address your provider gives; the server&apos;s own address is often enough.</source>
        <translation>プロバイダーが案内する CalDAV/CardDAV のアドレスです。多くの場合、サーバー自体のアドレスで十分です。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="484"/>
        <source>Server &amp;address:</source>
        <translation>サーバーのアドレス(&amp;A):</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="497"/>
        <source>Your password or an app password made for this program; it is kept in the keyring.</source>
        <translation>パスワード、またはこのプログラム用に作成したアプリ パスワードです。キーリングに保存されます。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="505"/>
        <source>&amp;Test</source>
        <translation>テスト(&amp;T)</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="506"/>
        <source>Test</source>
        <translation>テスト</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="506"/>
        <source>Look for the calendar, task list and address book; nothing is changed.</source>
        <translation>予定表、タスク リスト、アドレス帳を探します。何も変更されません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="508"/>
        <source>&amp;Use this mailbox</source>
        <translation>このメールボックスを使用(&amp;U)</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="509"/>
        <source>Use this mailbox</source>
        <translation>このメールボックスを使用</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="510"/>
        <source>Synchronize with this mailbox from now on, starting with a first synchronization.</source>
        <translation>今後はこのメールボックスと同期します。最初の同期から始めます。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="520"/>
        <source>For</source>
        <translation>用途</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="520"/>
        <source>Collection</source>
        <translation>コレクション</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="528"/>
        <source>Collections found</source>
        <translation>見つかったコレクション</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="529"/>
        <source>Which calendar, task list and address book the items go to.</source>
        <translation>アイテムが入る予定表、タスク リスト、アドレス帳です。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="534"/>
        <source>First synchronization</source>
        <translation>最初の同期</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="534"/>
        <source>How far the first synchronization has come.</source>
        <translation>最初の同期の進み具合です。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="538"/>
        <source>Mailbox status</source>
        <translation>メールボックスの状態</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="548"/>
        <source>Now: {side}, {where}</source>
        <translation>現在: {side}、{where}</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="549"/>
        <source>Now: {side}</source>
        <translation>現在: {side}</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="578"/>
        <source>Choose the mailbox folder</source>
        <translation>メールボックスのフォルダーを選択</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="598"/>
        <source>Found. Choose Use this mailbox to synchronize with it.</source>
        <translation>見つかりました。同期するには [このメールボックスを使用] を選んでください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="600"/>
        <source>Not found: {what}; those items are not synchronized.</source>
        <translation>見つかりません: {what}。それらのアイテムは同期されません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="622"/>
        <source>This computer now synchronizes with this mailbox.</source>
        <translation>このコンピューターは今後このメールボックスと同期します。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="624"/>
        <source>This computer now synchronizes with this mailbox. First synchronization: {came_in} into the mailbox, {went_out} into the organization.</source>
        <translation>このコンピューターは今後このメールボックスと同期します。最初の同期: メールボックスへ {came_in}、組織へ {went_out}。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="636"/>
        <source>Change contact addresses</source>
        <translation>取引先担当者の住所の変更</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="639"/>
        <location filename="../../wizard/gui/sync_dialogs.py" line="640"/>
        <source>the mailing address only</source>
        <translation>郵送先住所のみ</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="639"/>
        <location filename="../../wizard/gui/sync_dialogs.py" line="640"/>
        <source>all three addresses</source>
        <translation>3 つすべての住所</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="641"/>
        <source>Synchronize {after} instead of {before}?</source>
        <translation>{before} の代わりに {after} を同期しますか?</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="651"/>
        <source>Existing contacts are remapped. {fields} field(s) of {contacts} contact(s) would change; {lost} value(s) would be lost (for fields that synchronize both ways the organization&apos;s value wins). Every change is listed below.</source>
        <translation>既存の取引先担当者が再マッピングされます。{contacts} 件の取引先担当者の {fields} 個のフィールドが変更され、{lost} 個の値が失われます (双方向に同期するフィールドでは組織の値が優先されます)。すべての変更を下に示します。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="656"/>
        <source>No existing contact changes.</source>
        <translation>既存の取引先担当者は変更されません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="658"/>
        <source>{n} field pair(s) stop synchronizing; their values stay as they are.</source>
        <translation>{n} 組のフィールドの同期が止まります。値はそのまま残ります。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="660"/>
        <source>A backup of both sides&apos; values is taken first. Nothing changes until you choose Switch; Cancel changes nothing.</source>
        <translation>最初に両方の値のバックアップを作成します。[切り替え] を選ぶまで何も変わりません。[キャンセル] では何も変更されません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="667"/>
        <source>Contact</source>
        <translation>取引先担当者</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="520"/>
        <location filename="../../wizard/gui/sync_dialogs.py" line="667"/>
        <source>Where</source>
        <translation>場所</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="667"/>
        <source>Now</source>
        <translation>現在</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="668"/>
        <source>Afterwards</source>
        <translation>変更後</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="452"/>
        <location filename="../../wizard/gui/sync_dialogs.py" line="676"/>
        <source>Mailbox</source>
        <translation>メールボックス</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="677"/>
        <source>(the old value is lost; kept in the backup)</source>
        <translation>(元の値は失われます。バックアップに残ります)</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="685"/>
        <source>Fields that would change</source>
        <translation>変更されるフィールド</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="686"/>
        <source>Each contact field that would change, and its value now and afterwards.</source>
        <translation>変更される取引先担当者のフィールドと、現在と変更後の値です。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="689"/>
        <source>&amp;Switch</source>
        <translation>切り替え(&amp;S)</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="705"/>
        <source>&amp;Save diagnostics bundle…</source>
        <translation>診断バンドルの保存(&amp;S)…</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="707"/>
        <source>Write a zip file for your helpdesk: versions, settings, connection tests and recent logs, without passwords or tokens.</source>
        <translation>ヘルプデスク用の zip ファイルを作成します: バージョン、設定、接続テスト、最近のログ。パスワードやトークンは含みません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="709"/>
        <source>&amp;Include user names and addresses</source>
        <translation>ユーザー名とアドレスを含める(&amp;I)</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="711"/>
        <source>Include user names and addresses</source>
        <translation>ユーザー名とアドレスを含める</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="712"/>
        <source>Unchecked, user names, tenant IDs and organization addresses are replaced by placeholders.</source>
        <translation>オフのとき、ユーザー名、テナント ID、組織のアドレスはプレースホルダーに置き換えられます。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="720"/>
        <source>Diagnostics bundle</source>
        <translation>診断バンドル</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/crash.py" line="27"/>
        <source>d365-wizard ran into an unexpected problem ({error}).</source>
        <translation>d365-wizard で予期しない問題が発生しました ({error})。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/crash.py" line="31"/>
        <source>The details are in the log file {path}.</source>
        <translation>詳細はログ ファイル {path} にあります。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/crash.py" line="32"/>
        <source>If it happens again, send your helpdesk a diagnostics bundle (Diagnostics… ▸ Save diagnostics bundle…) and the log file.</source>
        <translation>再び発生する場合は、診断バンドル ([診断] ▸ [診断バンドルの保存…]) とログ ファイルをヘルプデスクに送ってください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/render.py" line="47"/>
        <source>Sign in…</source>
        <translation>サインイン…</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/render.py" line="47"/>
        <source>Enter the password…</source>
        <translation>パスワードを入力…</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/render.py" line="48"/>
        <source>Enter the user name and password…</source>
        <translation>ユーザー名とパスワードを入力…</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/render.py" line="49"/>
        <source>Test the connection</source>
        <translation>接続をテスト</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/render.py" line="49"/>
        <source>Synchronization settings…</source>
        <translation>同期の設定…</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/render.py" line="52"/>
        <source>Synchronize…</source>
        <translation>同期…</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/render.py" line="53"/>
        <source>Diagnostics…</source>
        <translation>診断…</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="188"/>
        <location filename="../../wizard/gui/render.py" line="53"/>
        <location filename="../../wizard/gui/render.py" line="54"/>
        <source>Try again</source>
        <translation>もう一度試す</translation>
    </message>
</context>
</TS>
